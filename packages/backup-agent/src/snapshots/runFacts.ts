/**
 * Details that describe how a backup ran, not what it holds: the downtime of stopped
 * containers and the consistency group. They are kept in the manifest for people and reports,
 * and left out when a restore's check is compared with the backup.
 */
export const RUN_FACT_KEYS = ['downtimeMs', 'group'] as const;

export function withoutRunFacts(
  details: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(details).filter(
      ([key]) => !(RUN_FACT_KEYS as readonly string[]).includes(key),
    ),
  );
}
