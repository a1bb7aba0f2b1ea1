import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import { manifestSealProblem, sealManifest } from './manifestSeal';
import type {
  ManifestRead,
  OpenUpload,
  SnapshotRef,
  SnapshotStorage,
  StoredSnapshot,
} from './SnapshotStorage';

/**
 * A storage tier whose manifests are sealed with an HMAC under a key the storage never holds:
 * every manifest written is sealed, and a manifest read whose seal is missing or wrong is
 * `unreadable`, so nothing (verify, restore, dependencies, copies) ever trusts it. Artifacts are
 * covered through the sha256 and sizes the sealed manifest lists; anything else a snapshot
 * stores (e.g. a chunk index) must be listed there too.
 */
export class AuthenticatedStorage implements SnapshotStorage {
  constructor(
    private readonly inner: SnapshotStorage,
    private readonly key: () => string,
  ) {}

  get tier() {
    return this.inner.tier;
  }

  location(ref: SnapshotRef) {
    return this.inner.location(ref);
  }

  putArtifact(...args: Parameters<SnapshotStorage['putArtifact']>) {
    return this.inner.putArtifact(...args);
  }

  getArtifact(...args: Parameters<SnapshotStorage['getArtifact']>) {
    return this.inner.getArtifact(...args);
  }

  // Chunk packs and locks: covered through the chunk indexes the sealed manifest lists.
  putObject(...args: Parameters<SnapshotStorage['putObject']>) {
    return this.inner.putObject(...args);
  }

  getObject(...args: Parameters<SnapshotStorage['getObject']>) {
    return this.inner.getObject(...args);
  }

  listObjects(...args: Parameters<SnapshotStorage['listObjects']>) {
    return this.inner.listObjects(...args);
  }

  deleteObject(...args: Parameters<SnapshotStorage['deleteObject']>) {
    return this.inner.deleteObject(...args);
  }

  writeReadme(...args: Parameters<SnapshotStorage['writeReadme']>) {
    return this.inner.writeReadme(...args);
  }

  writeManifest(ref: SnapshotRef, manifest: SnapshotManifest) {
    return this.inner.writeManifest(ref, sealManifest(manifest, this.key()));
  }

  async readManifest(ref: SnapshotRef): Promise<ManifestRead> {
    return this.checked(await this.inner.readManifest(ref));
  }

  async listSnapshots(target: string): Promise<StoredSnapshot[]> {
    return (await this.inner.listSnapshots(target)).map(s => ({
      ...s,
      manifest: this.checked(s.manifest),
    }));
  }

  deleteSnapshot(ref: SnapshotRef) {
    return this.inner.deleteSnapshot(ref);
  }

  async markWriting(ref: SnapshotRef) {
    await this.inner.markWriting?.(ref);
  }

  async clearWriting(ref: SnapshotRef) {
    await this.inner.clearWriting?.(ref);
  }

  readWriterMark(ref: SnapshotRef) {
    return this.inner.readWriterMark?.(ref) ?? Promise.resolve(undefined);
  }

  listOpenUploads() {
    return this.inner.listOpenUploads?.() ?? Promise.resolve([]);
  }

  async abortUpload(upload: OpenUpload) {
    await this.inner.abortUpload?.(upload);
  }

  storedBytes(ref: SnapshotRef) {
    return this.inner.storedBytes?.(ref) ?? Promise.resolve(0);
  }

  private checked(read: ManifestRead): ManifestRead {
    if (read.status !== 'ok') return read;
    const problem = manifestSealProblem(read.manifest, this.key());
    return problem ? { status: 'unreadable', reason: problem } : read;
  }
}
