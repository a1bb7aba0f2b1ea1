import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import { copyMissingPacks } from '../chunks/copyChunks';
import { acquireBackupLock } from '../chunks/tierLocks';
import type { KeyLookup } from '../pipeline/encryption';
import { openVerifiedStoredArtifact } from '../pipeline/openStoredFile';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';

/**
 * Copies a complete snapshot between tiers, artifact by artifact as streams. Each artifact is
 * checked against the manifest while it flows, the stored size is compared afterwards, and
 * the manifest is written last, as on the primary. For a chunked artifact, the packs its
 * index names that the other tier lacks go first (chunks, not copies), under that tier's
 * backup lock so its sweep cannot remove them before the manifest is written.
 */
export async function copySnapshot(
  from: SnapshotStorage,
  to: SnapshotStorage,
  ref: SnapshotRef,
  manifest: SnapshotManifest,
  readme: string,
  onProgress: (bytes: number) => void = () => undefined,
  keys?: KeyLookup,
): Promise<void> {
  const chunked = manifest.artifacts.some(a => a.chunked);
  const lock = chunked ? await acquireBackupLock(to) : undefined;
  try {
    let copiedBefore = 0;
    await to.markWriting?.(ref);
    for (const artifact of manifest.artifacts) {
      if (artifact.chunked) {
        const before = copiedBefore;
        copiedBefore += await copyMissingPacks(
          from,
          to,
          ref,
          artifact,
          keys,
          bytes => onProgress(before + bytes),
        );
      }
      const offset = copiedBefore;
      const source = await openVerifiedStoredArtifact(
        from,
        ref,
        artifact,
        bytes => onProgress(offset + bytes),
      );
      const { bytes } = await to.putArtifact(ref, artifact.name, source);
      if (bytes !== artifact.bytes) {
        throw new Error(
          `${to.location(ref)}${
            artifact.name
          } holds ${bytes} bytes, the manifest says ${artifact.bytes}`,
        );
      }
      copiedBefore += bytes;
    }
    await to.writeReadme(ref, readme);
    await to.writeManifest(ref, manifest);
    await to.clearWriting?.(ref);
  } finally {
    await lock?.release();
  }
}
