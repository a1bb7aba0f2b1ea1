import {
  AgentSnapshot,
  manifestTotals,
  SnapshotManifest,
  snapshotSizes,
} from '@safekeep/plugin-backups-common';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';

/** A snapshot as the HTTP API and CLI show it. */
export function toAgentSnapshot(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  manifest: SnapshotManifest,
): AgentSnapshot {
  const totals = manifestTotals(manifest);
  // Manifests written before chunked snapshots have no sizes: whole files, all new.
  const sizes = manifest.sizes ?? snapshotSizes(manifest.artifacts);
  return {
    id: ref.id,
    target: ref.target,
    tier: storage.tier,
    createdAt: manifest.started_at,
    bytes: totals.bytes,
    rawBytes: totals.rawBytes,
    newBytes: sizes.new_bytes,
    dedupRatio: sizes.dedup_ratio,
    sha256: manifest.artifacts[0]?.sha256 ?? '',
    artifacts: manifest.artifacts.map(a => ({
      name: a.name,
      bytes: a.bytes,
      sha256: a.sha256,
    })),
    location: storage.location(ref),
    engine: manifest.target.engine,
    engineVersion: manifest.engine_version,
    manifestVersion: manifest.manifest_version,
  };
}
