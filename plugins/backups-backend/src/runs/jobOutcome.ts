import type { AgentJob } from '@safekeep/plugin-backups-common';
import type { RunOutcome, StoredRun } from './BackupsStore';
import { groupCutOf } from './groupCutOf';

export type JobObservation =
  | { kind: 'running'; phase: string; bytesStored: number }
  | { kind: 'finished'; outcome: RunOutcome };

function parseTime(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * What an agent job means for its run. A success counts only with a primary snapshot
 * that has stored bytes and a checksum; anything less is recorded as a failure.
 */
export function observeJob(
  run: StoredRun,
  job: AgentJob,
  now: Date,
): JobObservation {
  if (job.state === 'running') {
    return { kind: 'running', phase: job.phase, bytesStored: job.bytes };
  }
  const finishedAt = parseTime(job.finishedAt) ?? now;
  const startedAt =
    parseTime(job.startedAt) ??
    (run.startedAt ? new Date(run.startedAt) : undefined);
  const durationMs = startedAt
    ? Math.max(0, finishedAt.getTime() - startedAt.getTime())
    : null;
  const groupCut = groupCutOf(job, run.target);
  const common = {
    finishedAt,
    durationMs,
    downtimeMs: job.downtimeMs ?? null,
    ...(groupCut ? { groupCut } : {}),
    phase: job.phase,
  };
  const snapshots = job.snapshots ?? [];
  const primary = snapshots[0];

  if (job.state === 'succeeded') {
    if (!primary) {
      return {
        kind: 'finished',
        outcome: {
          ...common,
          status: 'failed',
          error:
            'The agent reported success but no snapshot; this run is not counted as a backup.',
        },
      };
    }
    if (primary.bytes <= 0) {
      return {
        kind: 'finished',
        outcome: {
          ...common,
          status: 'failed',
          error: `The agent reported success but snapshot ${primary.id} has 0 stored bytes; this run is not counted as a backup.`,
          tiers: snapshots,
        },
      };
    }
  }

  const snapshotFields = primary
    ? {
        bytesRaw: primary.rawBytes,
        bytesStored: primary.bytes,
        bytesNew: primary.newBytes ?? null,
        dedupRatio: primary.dedupRatio ?? null,
        sha256: primary.sha256,
        snapshotId: primary.id,
        location: primary.location,
        tiers: snapshots,
      }
    : {};

  if (job.state === 'succeeded') {
    return {
      kind: 'finished',
      outcome: {
        ...common,
        ...snapshotFields,
        status: 'succeeded',
        error: null,
      },
    };
  }
  const reason =
    job.error?.trim() || 'the agent reported a failure without a reason';
  if (primary) {
    // The primary tier was stored, a later step (e.g. the offsite copy) failed.
    return {
      kind: 'finished',
      outcome: {
        ...common,
        ...snapshotFields,
        status: 'partially_failed',
        error: `Stored ${snapshots
          .map(s => s.tier)
          .join(', ')} but then failed: ${reason}`,
      },
    };
  }
  return {
    kind: 'finished',
    outcome: { ...common, status: 'failed', error: reason },
  };
}
