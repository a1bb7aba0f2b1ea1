import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import type { EncryptionKey } from '../pipeline/encryption/EncryptionKey';
import type { StoreArtifactOptions } from '../pipeline/storeArtifact';
import type { SnapshotStorage } from '../storage/SnapshotStorage';
import type { SnapshotContext } from '../snapshots/SnapshotContext';
import { poolName } from './chunkCodec';
import { ChunkRepository } from './ChunkRepository';
import { storeChunkedArtifact } from './storeChunkedArtifact';
import { acquireBackupLock } from './tierLocks';

export interface ChunkedStore {
  store(options: StoreArtifactOptions): Promise<SnapshotArtifact>;
  /**
   * Removes the packs this run wrote: for a failed or discarded run. Safe, because chunks
   * are reused only from committed snapshots, so nothing else references them.
   */
  discardPacks(): Promise<void>;
  /** discardPacks (failures logged) and release: for a run that failed or was discarded. */
  abandon(log: (message: string) => void): Promise<void>;
  /** Releases the backup's lock: call once the manifest is written, or the snapshot discarded. */
  release(): Promise<void>;
}

/**
 * For a tier of format `chunked`: takes the backup lock (so no sweep removes a chunk this
 * backup reuses or writes before its manifest is written), then reads which chunks the
 * pool holds, while the engine starts (the first chunk waits for it). Undefined for a
 * `whole` tier.
 */
export async function chunkedStoreFor(
  context: SnapshotContext,
  storage: SnapshotStorage,
  target: string,
  key: EncryptionKey | undefined,
): Promise<ChunkedStore | undefined> {
  if ((context.config.storage[storage.tier]?.format ?? 'chunked') !== 'chunked')
    return undefined;
  const repository = new ChunkRepository(storage, poolName(key));
  const lock = await acquireBackupLock(storage);
  try {
    const known = repository.knownChunks(key ? () => key : undefined, message =>
      context.log(message),
    );
    // Awaited by store(); a run that fails before it stores anything never awaits it.
    known.catch(() => undefined);
    let released = false;
    let registered = false;
    const written: string[] = [];
    const store: ChunkedStore = {
      async store(options) {
        // Before the first pack: prune then finds this target's snapshots in the pool.
        if (!registered) await repository.registerTarget(target);
        registered = true;
        return storeChunkedArtifact({
          ...options,
          repository,
          known: await known,
          onPackWritten: id => written.push(id),
        });
      },
      async discardPacks() {
        for (const id of written.splice(0))
          await storage.deleteObject(repository.packKey(id));
      },
      async abandon(log) {
        await store
          .discardPacks()
          .catch(e => log(`could not remove the failed run's packs: ${e}`));
        await store.release();
      },
      async release() {
        if (released) return;
        released = true;
        await lock.release();
      },
    };
    return store;
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
}
