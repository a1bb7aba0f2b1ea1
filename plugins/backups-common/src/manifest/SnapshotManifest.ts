import { z } from 'zod';

/**
 * The newest manifest format this code writes and understands. Version 2 adds chunked
 * artifacts; a snapshot without them is still written as version 1, so older agents read it.
 */
export const MANIFEST_VERSION = 2;
/** The version of a manifest whose artifacts are all whole files. */
export const WHOLE_MANIFEST_VERSION = 1;
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
  /**
   * Present for a chunked artifact: the file (`name`, `bytes`, `sha256`) is then its chunk
   * index, and the stream is the concatenation of the chunks it lists, stored in the tier's
   * chunk pool (docs/architecture.md, "Chunked snapshots").
   */
  chunked: z
    .object({
      /** The content-defined chunker and its parameters, e.g. `fastcdc-2016-gear32-v1`. */
      chunker: z.string(),
      /** The tier's chunk pool: `plain`, or `key-<key id>` for encrypted targets. */
      pool: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
      /** sha256 of the whole raw stream (before chunking), hex. */
      stream_sha256: z.string().regex(/^[a-f0-9]{64}$/),
      chunks: z.number().int().nonnegative(),
      /** Stored bytes of the distinct chunks the stream is made of: what a restore reads. */
      stored_bytes: z.number().int().nonnegative(),
      /** Bytes this snapshot added to the pool (new packs): the rest was already there. */
      new_bytes: z.number().int().nonnegative(),
      new_chunks: z.number().int().nonnegative(),
    })
    .optional(),
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
    /** What the snapshot weighs; absent in manifests written before chunked snapshots. */
    sizes: z
      .object({
        /** Raw bytes of every stream: the size of a restore. */
        logical_bytes: z.number().int().nonnegative(),
        /** Bytes this snapshot added to its tier (whole files, or new packs and indexes). */
        new_bytes: z.number().int().nonnegative(),
        /** logical_bytes / new_bytes: how many times smaller the increment is than a restore. */
        dedup_ratio: z.number().nonnegative(),
      })
      .optional(),
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

/** Bytes an artifact added to its tier: its file, plus new packs when chunked. */
export function artifactNewBytes(artifact: SnapshotArtifact): number {
  return artifact.bytes + (artifact.chunked?.new_bytes ?? 0);
}

/** Stored bytes a restore of the artifact reads: its file, plus its chunks when chunked. */
export function artifactStoredBytes(artifact: SnapshotArtifact): number {
  return artifact.bytes + (artifact.chunked?.stored_bytes ?? 0);
}

/**
 * Sums of a manifest's artifacts, as shown in run records and the UI: `bytes` stored (chunks
 * counted once per snapshot, shared or not), `rawBytes` a restore writes, `newBytes` this
 * snapshot added to its tier.
 */
export function manifestTotals(manifest: Pick<SnapshotManifest, 'artifacts'>) {
  return {
    bytes: manifest.artifacts.reduce(
      (sum, a) => sum + artifactStoredBytes(a),
      0,
    ),
    rawBytes: manifest.artifacts.reduce((sum, a) => sum + a.raw_bytes, 0),
    newBytes: manifest.artifacts.reduce(
      (sum, a) => sum + artifactNewBytes(a),
      0,
    ),
  };
}

/** The manifest's `sizes`, from its artifacts. */
export function snapshotSizes(
  artifacts: SnapshotArtifact[],
): NonNullable<SnapshotManifest['sizes']> {
  const totals = manifestTotals({ artifacts });
  return {
    logical_bytes: totals.rawBytes,
    new_bytes: totals.newBytes,
    dedup_ratio:
      totals.newBytes > 0
        ? Math.round((totals.rawBytes / totals.newBytes) * 100) / 100
        : 0,
  };
}
