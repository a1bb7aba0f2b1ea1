import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import { rawNameOf } from '../pipeline/artifactNames';
import type { KeyLookup } from '../pipeline/encryption';
import { parseEncryptionKey } from '../pipeline/encryption/EncryptionKey';
import { openRawArtifact } from '../pipeline/openStoredArtifact';
import { FilesystemStorage } from '../storage/FilesystemStorage';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { readKeyFile } from './readKeyFile';

/** The artifact named by its raw name (`app.db`) or its stored name (`app.db.chunks.zst`). */
export function pickArtifact(manifest: SnapshotManifest, name: string) {
  const artifact = manifest.artifacts.find(
    a => rawNameOf(a) === name || a.name === name,
  );
  if (!artifact) {
    throw new Error(
      `snapshot ${
        manifest.snapshot_id
      } has no artifact "${name}"; it has ${manifest.artifacts
        .map(rawNameOf)
        .join(', ')}`,
    );
  }
  return artifact;
}

/**
 * Writes one artifact's raw bytes (chunks joined, or the whole file decompressed), checked
 * all the way; a failure rejects, and the output so far must be discarded.
 */
export async function catArtifact(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  name: string,
  output: Writable,
  keys?: KeyLookup,
): Promise<void> {
  const read = await storage.readManifest(ref);
  if (read.status !== 'ok') {
    throw new Error(
      `${storage.location(ref)} has no usable MANIFEST.json (${
        read.status === 'unreadable' ? read.reason : read.status
      }); it cannot be read`,
    );
  }
  const artifact = pickArtifact(read.manifest, name);
  await pipeline(
    await openRawArtifact(storage, ref, artifact, undefined, keys),
    output,
  );
}

/**
 * `safekeep-agent cat --from FOLDER [--key-file FILE] ARTIFACT`, with no config: FOLDER is a
 * snapshot folder `<tier>/<target>/<id>` of a filesystem tier (or a download of an S3 one),
 * whose chunks are in `<tier>/.chunks/`.
 */
export async function catFromFolder(
  folder: string,
  name: string,
  output: Writable,
  keyFile?: string,
): Promise<void> {
  const snapshotDir = path.resolve(folder);
  const id = path.basename(snapshotDir);
  const target = path.basename(path.dirname(snapshotDir));
  const root = path.dirname(path.dirname(snapshotDir));
  const storage = new FilesystemStorage('folder', root);
  let keys: KeyLookup | undefined;
  if (keyFile) {
    const text = readKeyFile(keyFile);
    keys = keyId => parseEncryptionKey(text, keyId, `--key-file ${keyFile}`);
  }
  await catArtifact(storage, { target, id }, name, output, keys);
}
