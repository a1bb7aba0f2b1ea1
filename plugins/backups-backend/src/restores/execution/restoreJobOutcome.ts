import type { AgentJob } from '@safekeep/plugin-backups-common';
import type { RestoreCheck } from '../store/RestoresStore';

export interface RestoreJobOutcome {
  ok: boolean;
  check: RestoreCheck | null;
  error: string | null;
}

/** Container states an agent may report on a failed restore: names, or { name, state }. */
function stoppedContainers(details: Record<string, unknown> | undefined): string[] | undefined {
  const containers = details?.containers;
  if (!Array.isArray(containers)) return undefined;
  return containers.flatMap(c => {
    if (typeof c === 'string') return [c];
    if (c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string') {
      const { name, state } = c as { name: string; state?: unknown };
      return [typeof state === 'string' ? `${name} (${state})` : name];
    }
    return [];
  });
}

/**
 * What a failed restore leaves behind, said plainly: Safekeep restarts and rolls back nothing,
 * so whatever the restore stopped stays stopped until a person has looked.
 */
export function leftBehind(job: AgentJob, what: { containersToStop: string[]; destination: string }): string {
  const reported = stoppedContainers(job.details);
  if (reported && reported.length > 0) {
    return `Left stopped: ${reported.join(', ')}; start them once the data has been checked.`;
  }
  if (what.containersToStop.length > 0) {
    return `Nothing was restarted: ${what.containersToStop.join(', ')} stay stopped until you have checked the data and start them.`;
  }
  return `Nothing was restarted or rolled back: check ${what.destination} before using it again.`;
}

/** A finished restore job as a request's outcome: the post-restore check, or why it failed. */
export function restoreJobOutcome(job: AgentJob, what: { containersToStop: string[]; destination: string }): RestoreJobOutcome {
  const details = job.details ?? {};
  const differences = Array.isArray(details.differences) ? (details.differences as unknown[]).map(String) : undefined;
  const checkDetails = {
    destination: details.destination,
    tier: details.tier,
    expected: details.expected,
    observed: details.observed,
  };
  if (job.state === 'succeeded') {
    return { ok: true, check: { ok: true, differences: differences ?? [], details: checkDetails }, error: null };
  }
  const reason = job.error ?? 'the agent gave no reason';
  return {
    ok: false,
    // The data was restored but does not match the backup's counts: the check says how.
    check: differences ? { ok: false, differences, details: checkDetails } : null,
    error: `Restore failed: ${reason} ${leftBehind(job, what)}`,
  };
}
