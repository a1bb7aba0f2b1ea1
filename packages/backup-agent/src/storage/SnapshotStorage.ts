import type { Readable } from 'node:stream';
import type { SnapshotManifest } from '@safekeep/plugin-backups-common';

/** An object's bytes: one buffer, or several in order. */
export type ObjectBody = Buffer | readonly Buffer[];

export interface SnapshotRef {
  target: string;
  id: string;
}

/** What reading MANIFEST.json found. A snapshot without a usable manifest is never restorable. */
export type ManifestRead =
  | { status: 'missing' }
  | { status: 'ok'; manifest: SnapshotManifest }
  /** Written by a newer agent; readable only by that version or later. */
  | { status: 'too-new'; manifestVersion: number }
  | { status: 'unreadable'; reason: string };

export interface StoredSnapshot {
  ref: SnapshotRef;
  manifest: ManifestRead;
}

export class ArtifactMissingError extends Error {
  constructor(what: string) {
    super(`${what} does not exist in storage`);
    this.name = 'ArtifactMissingError';
  }
}

/** An object of the tier outside every snapshot folder (chunk packs, locks). */
export interface TierObject {
  /** Relative to the tier's shared area, e.g. `plain/packs/ab/ab12…`. */
  key: string;
  bytes: number;
  modifiedAt: Date;
}

/** The folder (filesystem) or key prefix (S3) under a tier's root for objects shared by its targets. */
export const SHARED_AREA = '.chunks';

/**
 * One storage tier. Layout: `<target>/<snapshot id>/<artifact>`, then `README.md`, then
 * `MANIFEST.json` written last: a snapshot folder without a manifest is incomplete.
 * Implementations know nothing about engines or the pipeline.
 */
export interface SnapshotStorage {
  readonly tier: string;
  /** `file:///var/backups/app/20260118T040000Z/` or `s3://bucket/prefix/app/20260118T040000Z/`. */
  location(ref: SnapshotRef): string;
  /** Stores a stream under its final name only once it is complete; returns the stored size. */
  putArtifact(
    ref: SnapshotRef,
    name: string,
    body: Readable,
  ): Promise<{ bytes: number }>;
  getArtifact(ref: SnapshotRef, name: string): Promise<Readable>;
  writeReadme(ref: SnapshotRef, text: string): Promise<void>;
  writeManifest(ref: SnapshotRef, manifest: SnapshotManifest): Promise<void>;
  readManifest(ref: SnapshotRef): Promise<ManifestRead>;
  /** Every snapshot folder of a target, complete or not, oldest first. */
  listSnapshots(target: string): Promise<StoredSnapshot[]>;
  deleteSnapshot(ref: SnapshotRef): Promise<void>;
  /**
   * Marks a snapshot folder as being written by this process (WRITER_MARK_FILE), before its
   * first artifact: an agent starting meanwhile then leaves it alone while this process runs,
   * and removes it once it is gone. Optional: tiers without it are cleaned by prune's age rule.
   */
  markWriting?(ref: SnapshotRef): Promise<void>;
  /** Removes the mark once the manifest is written. */
  clearWriting?(ref: SnapshotRef): Promise<void>;
  /** The mark's text, undefined when the snapshot holds none. */
  readWriterMark?(ref: SnapshotRef): Promise<string | undefined>;

  // Tiers whose artifacts go up in parts (S3): what a killed writer leaves open.
  /** Uploads begun where this agent writes artifacts and neither completed nor aborted. */
  listOpenUploads?(): Promise<OpenUpload[]>;
  /** Discards an open upload and its stored parts. */
  abortUpload?(upload: OpenUpload): Promise<void>;
  /** Bytes a snapshot's folder or prefix holds (for the leftovers' report). */
  storedBytes?(ref: SnapshotRef): Promise<number>;

  // The plain object layer under the chunk repository (src/chunks): `<root>/.chunks/<key>`.
  /**
   * Writes a whole object; it appears under its key only complete. Several buffers are its
   * bytes in order (a pack's frames): no caller has to join them into one first.
   */
  putObject(key: string, data: ObjectBody): Promise<void>;
  /** The object's bytes, or `length` bytes from `offset`; ArtifactMissingError when absent. */
  getObject(
    key: string,
    range?: { offset: number; length: number },
  ): Promise<Buffer>;
  /** Every object whose key starts with `prefix`. */
  listObjects(prefix: string): Promise<TierObject[]>;
  /** Removes an object; absent is fine. */
  deleteObject(key: string): Promise<void>;
}

/** A multipart upload left open, under the snapshot it was writing an artifact of. */
export interface OpenUpload {
  ref: SnapshotRef;
  /** The artifact's name. */
  name: string;
  key: string;
  uploadId: string;
  /** When the upload began (S3's Initiated), if the service says. */
  initiatedAt?: Date;
}

/** In a snapshot folder being written: who writes it (a WriterMark as JSON). */
export const WRITER_MARK_FILE = '.safekeep-writer.json';
