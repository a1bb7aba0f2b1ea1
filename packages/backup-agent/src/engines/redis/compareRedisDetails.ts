type Databases = Record<string, { keys?: unknown }>;

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * Key counts, with the tolerance Redis needs: keys with a TTL may expire between the backup and
 * the check, so the total may be lower by up to their number. The total recorded at backup is
 * exact (counted in the RDB by redis-check-rdb); the per-database counts were read from the live
 * server right after the snapshot, so they are compared only when the total disagrees.
 */
export function compareRedisDetails(
  recorded: Record<string, unknown>,
  observed: Record<string, unknown>,
): string[] {
  const expected = numberOf(recorded.keys);
  const found = numberOf(observed.keys);
  if (expected === undefined || found === undefined)
    return expected === found ? [] : ['keys: no key count to compare'];
  const withTtl = numberOf(recorded.keysWithTtl) ?? 0;
  if (found <= expected && found >= expected - withTtl) return [];
  const tolerance =
    withTtl > 0
      ? ` (${withTtl} of them with a TTL, which may have expired)`
      : '';
  const differences = [
    `keys: ${expected} at backup${tolerance}, ${found} after restore`,
  ];
  const before = (recorded.databases ?? {}) as Databases;
  const after = (observed.databases ?? {}) as Databases;
  for (const db of [
    ...new Set([...Object.keys(before), ...Object.keys(after)]),
  ].sort()) {
    const was = numberOf(before[db]?.keys) ?? 0;
    const is = numberOf(after[db]?.keys) ?? 0;
    if (was !== is)
      differences.push(
        `databases.${db}.keys: ${was} at backup, ${is} after restore`,
      );
  }
  return differences;
}
