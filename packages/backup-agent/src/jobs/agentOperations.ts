import type { RetentionPolicy } from '@safekeep/plugin-backups-common';
import type { SnapshotService } from '../snapshots/SnapshotService';
import { verifyProblems } from '../snapshots/verifySnapshot';
import type { RestoreChoices } from '../snapshots/restoreSnapshot';
import type { JobWork } from './JobRegistry';
import type { GroupDryRunOptions } from '../groups/dryRunGroupRestore';
import type { GroupRestoreOptions } from '../groups/restoreGroup';

/**
 * The four operations as job work, shared by the HTTP API and the CLI so both report the same
 * outcome: what succeeded, what failed and why.
 */
export function backupWork(service: SnapshotService, target: string): JobWork {
  return async report => {
    const result = await service.backup(target, report);
    const failed = result.failedTiers.map(f => `${f.tier}: ${f.error}`);
    const downtime = result.manifest.details.downtimeMs;
    return {
      snapshots: result.snapshots,
      // An engine that stopped its container for the dump (neo4j) records how long.
      downtimeMs: typeof downtime === 'number' ? downtime : undefined,
      details: {
        ...result.manifest.details,
        ...(failed.length ? { failedTiers: result.failedTiers } : {}),
      },
      error: failed.length
        ? `stored in ${result.snapshots
            .map(s => s.tier)
            .join(', ')}, but copying failed for ${failed.join('; ')}`
        : undefined,
    };
  };
}

export function verifyWork(
  service: SnapshotService,
  target: string,
  snapshotId: string,
  tier?: string,
  from?: string,
): JobWork {
  return async report => {
    const result = await service.verify(target, snapshotId, tier, report, from);
    return {
      details: { ...result },
      error: result.ok
        ? undefined
        : `verification failed: ${verifyProblems(result).join('; ')}`,
    };
  };
}

export function restoreWork(
  service: SnapshotService,
  target: string,
  snapshotId: string,
  options: RestoreChoices,
): JobWork {
  return async report => {
    const result = await service.restore(target, snapshotId, {
      ...options,
      onProgress: report,
    });
    return {
      details: { ...result },
      error: result.differences.length
        ? `restored ${
            result.destination
          }, but its check differs from the backup: ${result.differences.join(
            '; ',
          )}`
        : undefined,
    };
  };
}

export function pruneWork(
  service: SnapshotService,
  target: string,
  options: {
    tier?: string;
    retention: RetentionPolicy;
    dryRun?: boolean;
    failedVerify?: string[];
  },
): JobWork {
  return async report => {
    report({ phase: options.dryRun ? 'planning' : 'pruning', bytes: 0 });
    const result = await service.prune(target, options);
    return { details: { ...result } };
  };
}

/** A consistency group backup: the job carries every member snapshot, the downtime and each container's state. */
export function groupBackupWork(
  service: SnapshotService,
  group: string,
): JobWork {
  return async report => {
    const result = await service.backupGroup(group, report);
    return {
      snapshots: result.snapshots,
      downtimeMs: result.downtimeMs ?? undefined,
      details: {
        group: result.group,
        runId: result.runId,
        mode: result.mode,
        cutAt: result.cutAt,
        stoppedContainers: result.stoppedContainers,
        downtimeMs: result.downtimeMs,
        totalMs: result.totalMs,
        members: result.members,
        containers: result.containers,
        excluded: result.excluded,
      },
      error: result.error,
    };
  };
}

export function groupRestoreWork(
  service: SnapshotService,
  group: string,
  options: GroupRestoreOptions,
): JobWork {
  return async report => {
    const result = await service.restoreGroup(group, {
      ...options,
      onProgress: report,
    });
    return {
      details: {
        group: result.group,
        members: result.members,
        containers: result.containers,
        ...(result.note ? { note: result.note } : {}),
      },
      error: result.error,
    };
  };
}

/**
 * A dry run as work for the CLI (over HTTP the answer is the result itself): it fails when the
 * restore would be refused, so a script can test the exit code before the real restore.
 */
export function dryRunWork(
  service: SnapshotService,
  target: string,
  snapshotId: string,
  options: RestoreChoices,
): JobWork {
  return async report => {
    report({ phase: 'checking', bytes: 0 });
    const result = await service.dryRunRestore(target, snapshotId, options);
    return {
      details: { ...result },
      error: result.refusals.length
        ? `the restore would be refused: ${result.refusals.join('; ')}`
        : undefined,
    };
  };
}

export function groupDryRunWork(
  service: SnapshotService,
  group: string,
  options: GroupDryRunOptions,
): JobWork {
  return async report => {
    const result = await service.dryRunRestoreGroup(group, {
      ...options,
      onProgress: report,
    });
    return {
      details: { ...result },
      error: result.refusals.length
        ? `group ${
            result.group
          }: the restore would be refused: ${result.refusals.join('; ')}`
        : undefined,
    };
  };
}
