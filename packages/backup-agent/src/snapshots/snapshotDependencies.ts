import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import type { TargetConfig } from '../config/loadConfig';
import type { PreviousSnapshotAccess } from '../engines/EngineDriver';
import { rawNameOf } from '../pipeline/artifactNames';
import type { KeyLookup } from '../pipeline/encryption';
import { EncryptionKeyring } from '../pipeline/encryption/EncryptionKeyring';
import { openRawArtifact } from '../pipeline/openStoredArtifact';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { copySnapshot } from './copySnapshot';
import { RestoreRefusedError } from './errors';
import type { SnapshotContext } from './SnapshotContext';
import { snapshotReadme } from './snapshotReadme';
import { checkArtifacts } from './verifySnapshot';

/**
 * Snapshots that reference artifacts of earlier ones (incremental engines, `depends_on` in the
 * manifest): choosing the previous snapshot for a backup, checking and copying dependencies,
 * opening their artifacts at restore.
 */

export function dependenciesOf(manifest: SnapshotManifest): string[] {
  return manifest.depends_on ?? [];
}

export interface StoredManifest {
  ref: SnapshotRef;
  manifest: SnapshotManifest;
}

/** The complete snapshots of a target in one tier, by id. */
export async function completeSnapshots(
  storage: SnapshotStorage,
  target: string,
): Promise<Map<string, StoredManifest>> {
  const complete = new Map<string, StoredManifest>();
  for (const stored of await storage.listSnapshots(target)) {
    if (stored.manifest.status === 'ok')
      complete.set(stored.ref.id, {
        ref: stored.ref,
        manifest: stored.manifest.manifest,
      });
  }
  return complete;
}

/** An artifact of a stored snapshot by its raw name, as raw bytes verified in flight. */
async function openByRawName(
  storage: SnapshotStorage,
  stored: StoredManifest,
  name: string,
  keys: KeyLookup,
) {
  const artifact = stored.manifest.artifacts.find(a => rawNameOf(a) === name);
  if (!artifact) {
    throw new Error(
      `snapshot ${
        stored.ref.id
      } has no artifact ${name} (it has ${stored.manifest.artifacts
        .map(a => a.name)
        .join(', ')})`,
    );
  }
  return openRawArtifact(storage, stored.ref, artifact, undefined, keys);
}

/**
 * The snapshot an incremental backup compares with: the newest complete one of the target and
 * engine in `storage` whose own dependencies are all complete there too, so whatever the new
 * snapshot references from it exists.
 */
export async function findPreviousSnapshot(
  context: SnapshotContext,
  target: TargetConfig,
  storage: SnapshotStorage,
): Promise<PreviousSnapshotAccess | undefined> {
  const complete = await completeSnapshots(storage, target.name);
  const newestFirst = [...complete.values()]
    .filter(s => s.manifest.target.engine === target.engine)
    .sort(
      (a, b) =>
        b.manifest.started_at.localeCompare(a.manifest.started_at) ||
        b.ref.id.localeCompare(a.ref.id),
    );
  const previous = newestFirst.find(s =>
    dependenciesOf(s.manifest).every(id => complete.has(id)),
  );
  if (!previous) return undefined;
  const keyring = new EncryptionKeyring(context.config);
  return {
    id: previous.ref.id,
    openArtifact: name =>
      openByRawName(storage, previous, name, id => keyring.byId(id)),
  };
}

/** Refuses to record dependencies that are not complete snapshots of the target in `storage`. */
export async function assertDependenciesStored(
  storage: SnapshotStorage,
  target: string,
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  const complete = await completeSnapshots(storage, target);
  const missing = ids.filter(id => !complete.has(id));
  if (missing.length > 0) {
    throw new Error(
      `the backup references snapshot(s) ${missing.join(
        ', ',
      )} of ${target}, which are not complete in tier ${
        storage.tier
      }; run the backup again`,
    );
  }
}

/**
 * Before a snapshot is copied to another tier: every snapshot it depends on (and theirs) that
 * the other tier lacks is copied there first, from the primary, so the copy is restorable on
 * its own.
 */
export async function copyDependencies(
  context: SnapshotContext,
  target: TargetConfig,
  from: SnapshotStorage,
  to: SnapshotStorage,
  manifest: SnapshotManifest,
  onProgress: (bytes: number) => void = () => undefined,
): Promise<string[]> {
  const needed = dependenciesOf(manifest);
  if (needed.length === 0) return [];
  const keys = new EncryptionKeyring(context.config);
  const source = await completeSnapshots(from, target.name);
  const present = await completeSnapshots(to, target.name);
  const copied: string[] = [];
  const visit = async (id: string, path: string[]): Promise<void> => {
    if (present.has(id) || copied.includes(id) || path.includes(id)) return;
    const stored = source.get(id);
    if (!stored) {
      throw new Error(
        `snapshot ${manifest.snapshot_id} depends on snapshot ${id}, which is not complete in tier ${from.tier}; it cannot be copied to ${to.tier}`,
      );
    }
    for (const dependency of dependenciesOf(stored.manifest))
      await visit(dependency, [...path, id]);
    const readme = snapshotReadme({
      manifest: stored.manifest,
      driver: context.driverFor(target),
      settings: target.settings,
      agentName: context.config.agent.name,
    });
    try {
      await copySnapshot(
        from,
        to,
        stored.ref,
        stored.manifest,
        readme,
        onProgress,
        keyId => keys.byId(keyId),
      );
    } catch (error) {
      await to
        .deleteSnapshot(stored.ref)
        .catch(e =>
          context.log(
            `could not remove the failed copy ${to.location(stored.ref)}: ${e}`,
          ),
        );
      throw error;
    }
    copied.push(id);
  };
  for (const id of needed) await visit(id, []);
  return copied;
}

/**
 * The snapshots a restore reads besides the one asked for, found in the same tier. A missing
 * or unusable one refuses the restore before anything is touched.
 */
export async function findRestoreDependencies(
  storage: SnapshotStorage,
  target: TargetConfig,
  manifest: SnapshotManifest,
  /** The target the snapshots were taken from, when not `target` itself. */
  from?: string,
): Promise<StoredManifest[]> {
  const found: StoredManifest[] = [];
  for (const id of dependenciesOf(manifest)) {
    const ref = { target: from ?? target.name, id };
    const read = await storage.readManifest(ref);
    if (read.status !== 'ok' || read.manifest.target.engine !== target.engine) {
      const states: Record<string, string> = {
        missing: 'not there',
        'too-new': 'from a newer agent',
        unreadable: 'unreadable',
      };
      const state =
        read.status === 'ok'
          ? `a ${read.manifest.target.engine} snapshot`
          : states[read.status];
      throw new RestoreRefusedError(
        `snapshot ${manifest.snapshot_id} keeps part of its content in snapshot ${id}, which is ${state} in tier ${storage.tier}; ` +
          'nothing was changed; restore from a tier that holds both (see safekeep-agent list)',
        'dependency',
      );
    }
    found.push({ ref, manifest: read.manifest });
  }
  return found;
}

/** Reads every artifact of the dependencies once (sha256, and GCM tags when encrypted). */
export async function verifyRestoreDependencies(
  storage: SnapshotStorage,
  dependencies: StoredManifest[],
  keys: KeyLookup,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<void> {
  for (const dependency of dependencies) {
    const broken = (
      await checkArtifacts(
        storage,
        dependency.ref,
        dependency.manifest,
        onBytes,
        keys,
      )
    ).filter(c => !c.ok);
    if (broken.length > 0) {
      throw new RestoreRefusedError(
        `snapshot ${
          dependency.ref.id
        }, which this snapshot depends on, failed verification, nothing was changed: ${broken
          .map(c => c.problem)
          .join('; ')}`,
        'checksum',
      );
    }
  }
}

/** `openSnapshotArtifact` for a restore: only the dependencies found and verified above. */
export function dependencyOpener(
  storage: SnapshotStorage,
  dependencies: StoredManifest[],
  keys: KeyLookup,
) {
  return async (snapshotId: string, name: string) => {
    const dependency = dependencies.find(d => d.ref.id === snapshotId);
    if (!dependency) {
      throw new Error(
        `snapshot ${snapshotId} is not listed in depends_on of the snapshot being restored; the snapshot's manifest is incomplete`,
      );
    }
    return openByRawName(storage, dependency, name, keys);
  };
}
