import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineContext } from '../EngineDriver';
import { INDEX_ARTIFACT, readObjectIndex } from './objectIndex';

/**
 * PROPOSED core capabilities, not in EngineContext yet (see this engine's README section in
 * the report): with them the S3 engine copies only new or changed objects and restores
 * blobs kept in earlier snapshots. Without them every backup is a full copy.
 */
export interface PreviousSnapshotAccess {
  /** Id of the newest complete snapshot of the same target and engine on the primary tier. */
  id: string;
  /** One of its artifacts as raw bytes (decrypted, decompressed, checksum-verified in flight). */
  openArtifact(name: string): Promise<Readable>;
}

export interface IncrementalEngineContext extends EngineContext {
  /** At backup: the snapshot to compare with. */
  previousSnapshot?: PreviousSnapshotAccess;
  /** At restore: an artifact of another snapshot of the same target, one this snapshot depends on. */
  openSnapshotArtifact?(snapshotId: string, name: string): Promise<Readable>;
}

export interface ReusableBlob {
  sha256: string;
  /** The snapshot whose objects.tar holds the blob. */
  snapshot: string;
}

export interface PreviousIndex {
  id: string;
  byKey: Map<string, { etag?: string; size: number; blob: ReusableBlob }>;
  bySha: Map<string, ReusableBlob>;
}

/** Reads the previous snapshot's index; undefined (full copy) when there is none or it is unusable. */
export async function loadPreviousIndex(context: IncrementalEngineContext, dir: string): Promise<PreviousIndex | undefined> {
  const previous = context.previousSnapshot;
  if (!previous) return undefined;
  const file = path.join(dir, `previous-${randomUUID()}.jsonl`);
  try {
    await pipeline(await previous.openArtifact(INDEX_ARTIFACT), fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    const index = await readObjectIndex(file, `${INDEX_ARTIFACT} of snapshot ${previous.id}`);
    const result: PreviousIndex = { id: previous.id, byKey: new Map(), bySha: new Map() };
    for (const object of index.objects) {
      // References are kept flat: always to the snapshot that really holds the blob.
      const blob = { sha256: object.sha256, snapshot: object.blob_snapshot ?? previous.id };
      result.byKey.set(object.key, { etag: object.etag, size: object.size, blob });
      result.bySha.set(object.sha256, blob);
    }
    return result;
  } catch (error) {
    context.log(`previous snapshot ${previous.id} cannot be used for an incremental backup (${(error as Error).message}); copying every object`);
    return undefined;
  } finally {
    await fsp.rm(file, { force: true });
  }
}
