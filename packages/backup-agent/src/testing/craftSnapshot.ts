import type { Readable } from 'node:stream';
import {
  MANIFEST_VERSION,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import type { Compression } from '@safekeep/plugin-backups-common';
import { storeArtifact } from '../pipeline/storeArtifact';
import type { SnapshotService } from '../snapshots/SnapshotService';

/**
 * Stores a hand-made snapshot (e.g. a malicious tar, or a manifest from the future) through
 * the real pipeline and storage, as if an agent had written it.
 */
export async function craftSnapshot(options: {
  service: SnapshotService;
  target: string;
  engine: string;
  id: string;
  tier?: string;
  artifacts: Array<{ name: string; stream: Readable }>;
  compression?: Compression;
  manifest?: Partial<SnapshotManifest>;
}): Promise<SnapshotManifest> {
  const storage = options.service.storage(options.tier ?? 'local');
  const ref = { target: options.target, id: options.id };
  const artifacts = [];
  for (const a of options.artifacts) {
    artifacts.push(
      await storeArtifact({
        artifact: {
          name: a.name,
          description: 'crafted by a test',
          stream: a.stream,
        },
        compression: options.compression ?? 'zstd',
        storage,
        ref,
      }),
    );
  }
  const manifest: SnapshotManifest = {
    manifest_version: MANIFEST_VERSION,
    tool: { name: 'test', version: '0' },
    snapshot_id: options.id,
    target: { name: options.target, engine: options.engine },
    engine_version: null,
    started_at: new Date().toISOString(),
    finished_at: new Date().toISOString(),
    artifacts,
    details: {},
    ...options.manifest,
  };
  await storage.writeManifest(ref, manifest);
  return manifest;
}
