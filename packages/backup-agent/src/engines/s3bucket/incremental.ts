import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { EngineContext } from '../EngineDriver';
import { INDEX_ARTIFACT, readObjectIndex } from './objectIndex';

/**
 * With the core's `previousSnapshot` (backup) the engine copies only new or changed objects;
 * with `openSnapshotArtifact` (restore) it reads blobs kept in earlier snapshots. Both are
 * optional in EngineContext: without them every backup is a full copy.
 */
export type IncrementalEngineContext = EngineContext;
export type { PreviousSnapshotAccess } from '../EngineDriver';

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
export async function loadPreviousIndex(
  context: IncrementalEngineContext,
  dir: string,
): Promise<PreviousIndex | undefined> {
  const previous = context.previousSnapshot;
  if (!previous) return undefined;
  const file = path.join(dir, `previous-${randomUUID()}.jsonl`);
  try {
    await pipeline(
      await previous.openArtifact(INDEX_ARTIFACT),
      fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }),
    );
    const index = await readObjectIndex(
      file,
      `${INDEX_ARTIFACT} of snapshot ${previous.id}`,
    );
    const result: PreviousIndex = {
      id: previous.id,
      byKey: new Map(),
      bySha: new Map(),
    };
    for (const object of index.objects) {
      // References are kept flat: always to the snapshot that really holds the blob.
      const blob = {
        sha256: object.sha256,
        snapshot: object.blob_snapshot ?? previous.id,
      };
      result.byKey.set(object.key, {
        etag: object.etag,
        size: object.size,
        blob,
      });
      result.bySha.set(object.sha256, blob);
    }
    return result;
  } catch (error) {
    context.log(
      `previous snapshot ${
        previous.id
      } cannot be used for an incremental backup (${
        (error as Error).message
      }); copying every object`,
    );
    return undefined;
  } finally {
    await fsp.rm(file, { force: true });
  }
}
