import type { AgentJob } from '@safekeep/plugin-backups-common';
import type { RestoreCheck } from './RestoresStore';

export interface RestoreJobOutcome {
  ok: boolean;
  check: RestoreCheck | null;
  error: string | null;
}

/** Container states an agent may report: names, or { name | container, state }. */
function reportedContainers(
  details: Record<string, unknown> | undefined,
): string[] | undefined {
  const containers = details?.containers;
  if (!Array.isArray(containers)) return undefined;
  return containers.flatMap(c => {
    if (typeof c === 'string') return [c];
    const entry = c as {
      name?: unknown;
      container?: unknown;
      state?: unknown;
    } | null;
    const name =
      typeof entry?.name === 'string' ? entry.name : entry?.container;
    if (typeof name !== 'string') return [];
    return [
      typeof entry?.state === 'string' ? `${name} (${entry.state})` : name,
    ];
  });
}

/**
 * What a failed restore leaves behind, said plainly: Safekeep restarts and rolls back nothing,
 * so whatever the restore stopped stays stopped until a person has looked.
 */
export function leftBehind(
  job: AgentJob,
  what: { containersToStop: string[]; destination: string },
): string {
  // The agent's own account comes first (a group restore says which containers it left stopped).
  if (typeof job.details?.note === 'string') return `${job.details.note}.`;
  const reported = reportedContainers(job.details);
  if (reported && reported.length > 0) {
    return `Containers now: ${reported.join(
      ', ',
    )}; start the stopped ones once the data has been checked.`;
  }
  if (what.containersToStop.length > 0) {
    return `Nothing was restarted: ${what.containersToStop.join(
      ', ',
    )} stay stopped until you have checked the data and start them.`;
  }
  return `Nothing was restarted or rolled back: check ${what.destination} before using it again.`;
}

/** A finished restore job as a request's outcome: the post-restore check, or why it failed. */
export function restoreJobOutcome(
  job: AgentJob,
  what: { containersToStop: string[]; destination: string },
): RestoreJobOutcome {
  const details = job.details ?? {};
  const differences = Array.isArray(details.differences)
    ? (details.differences as unknown[]).map(String)
    : undefined;
  const checkDetails = {
    destination: details.destination,
    tier: details.tier,
    expected: details.expected,
    observed: details.observed,
  };
  if (job.state === 'succeeded') {
    return {
      ok: true,
      check: {
        ok: true,
        differences: differences ?? [],
        details: checkDetails,
      },
      error: null,
    };
  }
  const reason = job.error ?? 'the agent gave no reason';
  return {
    ok: false,
    // The data was restored but does not match the backup's counts: the check says how.
    check: differences
      ? { ok: false, differences, details: checkDetails }
      : null,
    error: `Restore failed: ${reason} ${leftBehind(job, what)}`,
  };
}
