import type { RetentionPolicy } from '@safekeep/plugin-backups-common';
import type { SnapshotService } from '../snapshots/SnapshotService';
import { verifyProblems } from '../snapshots/verifySnapshot';
import type { JobWork } from './JobRegistry';

/**
 * The four operations as job work, shared by the HTTP API and the CLI so both report the same
 * outcome: what succeeded, what failed and why.
 */
export function backupWork(service: SnapshotService, target: string): JobWork {
  return async report => {
    const result = await service.backup(target, report);
    const failed = result.failedTiers.map(f => `${f.tier}: ${f.error}`);
    return {
      snapshots: result.snapshots,
      details: { ...result.manifest.details, ...(failed.length ? { failedTiers: result.failedTiers } : {}) },
      error: failed.length
        ? `stored in ${result.snapshots.map(s => s.tier).join(', ')}, but copying failed for ${failed.join('; ')}`
        : undefined,
    };
  };
}

export function verifyWork(service: SnapshotService, target: string, snapshotId: string, tier?: string): JobWork {
  return async report => {
    const result = await service.verify(target, snapshotId, tier, report);
    return {
      details: { ...result },
      error: result.ok ? undefined : `verification failed: ${verifyProblems(result).join('; ')}`,
    };
  };
}

export function restoreWork(
  service: SnapshotService,
  target: string,
  snapshotId: string,
  options: { tier?: string; force?: boolean; destination?: string },
): JobWork {
  return async report => {
    const result = await service.restore(target, snapshotId, { ...options, onProgress: report });
    return {
      details: { ...result },
      error: result.differences.length
        ? `restored ${result.destination}, but its check differs from the backup: ${result.differences.join('; ')}`
        : undefined,
    };
  };
}

export function pruneWork(
  service: SnapshotService,
  target: string,
  options: { tier?: string; retention: RetentionPolicy; dryRun?: boolean },
): JobWork {
  return async report => {
    report({ phase: options.dryRun ? 'planning' : 'pruning', bytes: 0 });
    const result = await service.prune(target, options);
    return { details: { ...result } };
  };
}
