import type { AgentJob, GroupCut } from '@safekeep/plugin-backups-common';

const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/**
 * How an agent's group backup job was cut, as `target`'s run records it: the group's mode, cut
 * time, the stopped containers and their downtime, and this member's own phase times. Undefined
 * for a job that is no group backup, or from an agent too old to report a mode.
 */
export function groupCutOf(
  job: AgentJob,
  target: string,
): GroupCut | undefined {
  const details = job.details ?? {};
  const mode = details.mode;
  if (mode !== 'cut' && mode !== 'stop-all') return undefined;
  const members = Array.isArray(details.members) ? details.members : [];
  const member = members.find(
    (m): m is { target: string; phases?: Record<string, unknown> } =>
      typeof m === 'object' && m !== null && m.target === target,
  );
  const phases: Record<string, number> = {};
  for (const [name, value] of Object.entries(member?.phases ?? {}))
    if (numberOrNull(value) !== null) phases[name] = value as number;
  return {
    mode,
    cutAt: typeof details.cutAt === 'string' ? details.cutAt : null,
    stoppedContainers: Array.isArray(details.stoppedContainers)
      ? details.stoppedContainers.filter(
          (c): c is string => typeof c === 'string',
        )
      : [],
    writerDowntimeMs: numberOrNull(details.downtimeMs),
    phases,
  };
}
