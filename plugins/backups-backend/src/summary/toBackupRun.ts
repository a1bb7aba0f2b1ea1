import type { BackupRun } from '@safekeep/plugin-backups-common';
import type { StoredRun } from '../runs/BackupsStore';

/** The REST view of a run: exactly BackupRun's fields, without the runner's bookkeeping. */
export function toBackupRun(run: StoredRun): BackupRun {
  return {
    id: run.id,
    entityRef: run.entityRef,
    agent: run.agent,
    target: run.target,
    status: run.status,
    phase: run.phase,
    trigger: run.trigger,
    triggeredBy: run.triggeredBy,
    scheduledFor: run.scheduledFor,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.durationMs,
    bytesRaw: run.bytesRaw,
    bytesStored: run.bytesStored,
    bytesNew: run.bytesNew ?? null,
    dedupRatio: run.dedupRatio ?? null,
    sha256: run.sha256,
    snapshotId: run.snapshotId,
    location: run.location,
    downtimeMs: run.downtimeMs,
    error: run.error,
    groupRunId: run.groupRunId ?? null,
    groupCut: run.groupCut ?? null,
    catchUp: run.catchUp ?? null,
  };
}
