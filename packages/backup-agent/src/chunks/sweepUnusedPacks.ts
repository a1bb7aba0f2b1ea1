import type { KeyLookup } from '../pipeline/encryption';
import type { SnapshotStorage } from '../storage/SnapshotStorage';
import { packsOf } from './chunkIndex';
import { ChunkRepository, readChunkIndex } from './ChunkRepository';
import { acquireLock, liveLocks, staleLocks } from './tierLocks';

/**
 * A pack younger than this is never swept, even when nothing references it: it may belong to
 * a backup whose lock could not be seen (another agent, an older version). Killed backups'
 * packs go at the first prune after it.
 */
export const PACK_GRACE_MS = 60 * 60 * 1000;

export interface PoolSweep {
  pool: string;
  /** Packs some committed snapshot still references. */
  packsKept: number;
  packsDeleted: number;
  bytesFreed: number;
  /** Unreferenced packs younger than the grace period, left for a later prune. */
  packsTooYoung: number;
  /** Why this pool was not swept (an index it could not read, a key it lacks). */
  skipped?: string;
}

export interface SweepResult {
  /** Set when a backup held the tier: nothing was deleted (mark only). */
  deferred?: string;
  pools: PoolSweep[];
}

/** Pools with packs or targets in the tier's shared area. */
async function poolsOf(storage: SnapshotStorage): Promise<string[]> {
  const keys = await storage.listObjects('');
  return [
    ...new Set(
      keys
        .map(k => k.key.split('/'))
        .filter(parts => parts[1] === 'packs' || parts[1] === 'targets')
        .map(parts => parts[0]),
    ),
  ].sort();
}

/**
 * Phase two of prune, after retention removed snapshots: mark every pack a committed
 * snapshot of any target of the tier references, then delete the packs no one references
 * (older than the grace period). It runs only with the tier's sweep lock and no live backup
 * lock (tierLocks), so a running backup never loses a chunk it reuses or wrote. A pool
 * whose references cannot all be read is left alone: unknown is live.
 */
export async function sweepUnusedPacks(
  storage: SnapshotStorage,
  options: {
    now: Date;
    keys: KeyLookup;
    dryRun?: boolean;
    graceMs?: number;
  },
): Promise<SweepResult> {
  const graceMs = options.graceMs ?? PACK_GRACE_MS;
  const lock = options.dryRun ? undefined : await acquireLock(storage, 'sweep');
  try {
    const backups = await liveLocks(storage, 'backup');
    const deferred =
      backups.length > 0
        ? `a backup is writing to tier ${storage.tier} (${backups
            .map(b => b.key)
            .join(', ')}); unused packs are removed by a later prune`
        : undefined;
    const pools: PoolSweep[] = [];
    for (const pool of await poolsOf(storage)) {
      pools.push(
        await sweepPool(
          new ChunkRepository(storage, pool),
          options,
          graceMs,
          !!deferred || !!options.dryRun,
        ),
      );
    }
    if (!deferred && !options.dryRun) {
      for (const stale of await staleLocks(storage))
        await storage.deleteObject(stale);
    }
    return { ...(deferred ? { deferred } : {}), pools };
  } finally {
    await lock?.release();
  }
}

async function sweepPool(
  repository: ChunkRepository,
  options: { now: Date; keys: KeyLookup },
  graceMs: number,
  markOnly: boolean,
): Promise<PoolSweep> {
  const result: PoolSweep = {
    pool: repository.pool,
    packsKept: 0,
    packsDeleted: 0,
    bytesFreed: 0,
    packsTooYoung: 0,
  };
  const live = new Set<string>();
  try {
    for await (const { ref, manifest } of repository.snapshotsUsingPool({
      strict: true,
    })) {
      for (const artifact of manifest.artifacts) {
        if (artifact.chunked?.pool !== repository.pool) continue;
        const index = await readChunkIndex(
          repository.storage,
          ref,
          artifact,
          options.keys,
        );
        // A pack (and every frame in it) is live while any chunk in it is.
        for (const pack of packsOf(index)) live.add(pack);
      }
    }
  } catch (error) {
    return { ...result, skipped: (error as Error).message };
  }
  for (const [pack, info] of await repository.listPacks()) {
    if (live.has(pack)) result.packsKept++;
    else if (options.now.getTime() - info.modifiedAt.getTime() < graceMs)
      result.packsTooYoung++;
    else {
      if (!markOnly)
        await repository.storage.deleteObject(repository.packKey(pack));
      result.packsDeleted++;
      result.bytesFreed += info.bytes;
    }
  }
  return result;
}
