import { z } from 'zod';

/** The newest manifest format this code writes and understands. */
export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'MANIFEST.json';

export const compressionSchema = z.enum(['zstd', 'gzip', 'none']);
export type Compression = z.infer<typeof compressionSchema>;

export const artifactSchema = z.object({
  /** File name inside the snapshot, e.g. `app.dump.zst`. */
  name: z.string().min(1),
  /** Bytes as stored (after compression and encryption). */
  bytes: z.number().int().nonnegative(),
  /** Bytes the dump tool produced (before compression). */
  raw_bytes: z.number().int().nonnegative(),
  /** sha256 of the stored bytes, hex. */
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  compression: compressionSchema,
  encryption: z
    .object({
      algorithm: z.literal('aes-256-gcm-chunked'),
      key_id: z.string(),
      chunk_bytes: z.number().int().positive(),
    })
    .nullable(),
  /** What the artifact holds, for people: "pg_dump -Fc of database app". */
  description: z.string().optional(),
});
export type SnapshotArtifact = z.infer<typeof artifactSchema>;

/**
 * MANIFEST.json, written last: a snapshot without one is incomplete and never restorable.
 * Field names are snake_case because the file is read by people and by other tools.
 */
export const snapshotManifestSchema = z
  .object({
    manifest_version: z.number().int().positive(),
    tool: z.object({ name: z.string(), version: z.string() }),
    snapshot_id: z.string(),
    target: z.object({ name: z.string(), engine: z.string() }),
    /** Server version as the engine reports it, e.g. "15.19" for PostgreSQL. */
    engine_version: z.string().nullable(),
    started_at: z.string(),
    finished_at: z.string(),
    artifacts: z.array(artifactSchema),
    /**
     * Earlier snapshots of the same target (ids, same tier) whose artifacts this one references
     * instead of storing them again (incremental engines). Retention keeps them while this
     * snapshot is kept, and copies to other tiers bring them along. Absent: self-contained.
     */
    depends_on: z.array(z.string()).optional(),
    /** Engine-specific facts used by restore checks: row counts, key counts, streams. */
    details: z.record(z.string(), z.unknown()).default({}),
    /**
     * HMAC-SHA256 of the manifest without this field (keys sorted, no spaces), under a key from
     * the agent's config that the storage never holds. Absent when the tier has no manifest key.
     */
    authentication: z
      .object({
        algorithm: z.literal('hmac-sha256'),
        mac: z.string().regex(/^[a-f0-9]{64}$/),
      })
      .optional(),
  })
  .passthrough();
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

/** Sums of a manifest's artifacts, as shown in run records and the UI. */
export function manifestTotals(manifest: Pick<SnapshotManifest, 'artifacts'>) {
  return {
    bytes: manifest.artifacts.reduce((sum, a) => sum + a.bytes, 0),
    rawBytes: manifest.artifacts.reduce((sum, a) => sum + a.raw_bytes, 0),
  };
}
