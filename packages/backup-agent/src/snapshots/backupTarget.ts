import {
  AgentSnapshot,
  MANIFEST_VERSION,
  SnapshotArtifact,
  SnapshotManifest,
  snapshotSizes,
  WHOLE_MANIFEST_VERSION,
} from '@safekeep/plugin-backups-common';
import { ChunkedStore, chunkedStoreFor } from '../chunks/chunkedStore';
import type { TargetConfig } from '../config/loadConfig';
import { EncryptionKeyring } from '../pipeline/encryption/EncryptionKeyring';
import { storeArtifact } from '../pipeline/storeArtifact';
import { formatSnapshotId } from '../storage/snapshotId';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { AGENT_TOOL_NAME, AGENT_VERSION } from '../version';
import { copySnapshot } from './copySnapshot';
import {
  assertDependenciesStored,
  copyDependencies,
  findPreviousSnapshot,
} from './snapshotDependencies';
import type { ProgressListener, SnapshotContext } from './SnapshotContext';
import { snapshotReadme } from './snapshotReadme';
import { toAgentSnapshot } from './toAgentSnapshot';

export interface BackupResult {
  /** One per tier that holds the snapshot, first the primary. */
  snapshots: AgentSnapshot[];
  manifest: SnapshotManifest;
  /** Tiers the copy failed for, with why; the primary snapshot is good regardless. */
  failedTiers: Array<{ tier: string; error: string }>;
}

/** A fresh id; `-2`, `-3`... when a snapshot (even an incomplete one) already has it. */
async function allocateSnapshotId(
  storage: SnapshotStorage,
  target: string,
  at: Date,
): Promise<string> {
  const taken = new Set(
    (await storage.listSnapshots(target)).map(s => s.ref.id),
  );
  for (let sequence = 1; ; sequence++) {
    const id = formatSnapshotId(at, sequence);
    if (!taken.has(id)) return id;
  }
}

/**
 * A snapshot whose artifacts are stored in the primary tier, without README and MANIFEST yet:
 * a consistency group commits its members only after it started its containers again, so
 * each manifest can record the downtime. Until commit it is incomplete (never listed).
 */
export interface PendingSnapshot {
  target: TargetConfig;
  ref: SnapshotRef;
  /** The manifest as it will be written, without the details added at commit. */
  manifest: SnapshotManifest;
  /** Writes README and MANIFEST (details merged with `extraDetails`), then copies to the other tiers. */
  commit(
    extraDetails?: Record<string, unknown>,
    onProgress?: ProgressListener,
  ): Promise<BackupResult>;
  /** Removes the stored artifacts. */
  discard(): Promise<void>;
}

/**
 * A backup whose engine has begun (driver.backup() returned): for engines with a point in time
 * (`pointInTime: 'backup'`) the data it will store is fixed now, and `store` streams it.
 */
export interface OpenedDump {
  target: TargetConfig;
  /** Streams the artifacts into the primary tier; see PendingSnapshot. A failure leaves nothing behind. */
  store(onProgress?: ProgressListener): Promise<PendingSnapshot>;
  /** Gives up without storing (closes the engine's backup). */
  abandon(): Promise<void>;
}

/** A failed backup's snapshot goes: its removal failing too is logged, never thrown over the cause. */
async function removeFailedSnapshot(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  log: (message: string) => void,
): Promise<void> {
  await storage
    .deleteSnapshot(ref)
    .catch(e =>
      log(
        `could not remove the failed snapshot ${storage.location(ref)}: ${e}`,
      ),
    );
}

/**
 * Starts a target's backup: the engine fixes its point in time; nothing is stored yet. `cut`:
 * a consistency group's cut opens it (EngineContext.inCut). `staged`: the engine's stage()
 * copies the raw data into staging first (a cut's volumes and folders), and `store` reads it.
 */
export async function openDump(
  context: SnapshotContext,
  target: TargetConfig,
  startedAt: Date = context.now(),
  how: 'direct' | 'cut' | 'staged' = 'direct',
): Promise<OpenedDump> {
  const driver = context.driverFor(target);
  const primary = context.storageFor(target.tiers[0]);
  // Incremental engines (s3) compare with the previous snapshot and store only what changed.
  const engineContext = {
    ...context.engineContext(target),
    previousSnapshot: await findPreviousSnapshot(context, target, primary),
    ...(how === 'cut' ? { inCut: true } : {}),
  };
  const engineVersion = await driver.serverVersion(
    target.settings,
    engineContext,
  );
  // Read before the dump starts: a missing key fails the backup naming the key id.
  const encryption = new EncryptionKeyring(context.config).forTarget(target);
  if (how === 'staged' && !driver.stage)
    throw new Error(`the ${target.engine} engine cannot stage its copy`);
  const backup = await (how === 'staged'
    ? driver.stage!(target.settings, engineContext)
    : driver.backup(target.settings, engineContext));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await backup
      .close()
      .catch(e =>
        context.log(`cleanup after backing up ${target.name} failed: ${e}`),
      );
  };

  async function storeArtifacts(
    ref: SnapshotRef,
    onProgress: ProgressListener,
  ): Promise<{ manifest: SnapshotManifest; chunked?: ChunkedStore }> {
    let chunked: ChunkedStore | undefined;
    try {
      // The primary tier's format decides; a chunked one reuses the chunks its pool holds,
      // under a backup lock held until the manifest is written (or the snapshot discarded).
      chunked = await chunkedStoreFor(
        context,
        primary,
        target.name,
        encryption,
      );
      onProgress({ phase: 'dumping', bytes: 0 });
      const artifacts: SnapshotArtifact[] = [];
      let storedBefore = 0;
      for await (const produced of backup.artifacts()) {
        const offset = storedBefore;
        const artifact = await (chunked?.store ?? storeArtifact)({
          artifact: produced,
          compression: target.compression,
          encryption,
          storage: primary,
          ref,
          onProgress: bytes =>
            onProgress({ phase: 'dumping', bytes: offset + bytes }),
        });
        artifacts.push(artifact);
        storedBefore += artifact.bytes;
      }
      if (artifacts.length === 0)
        throw new Error(
          `the ${target.engine} engine produced nothing to store`,
        );
      const details = await backup.details();
      const dependsOn = backup.dependsOn?.() ?? [];
      await assertDependenciesStored(primary, target.name, dependsOn);
      const manifest: SnapshotManifest = {
        manifest_version: artifacts.some(a => a.chunked)
          ? MANIFEST_VERSION
          : WHOLE_MANIFEST_VERSION,
        tool: { name: AGENT_TOOL_NAME, version: AGENT_VERSION },
        agent: { name: context.config.agent.name },
        snapshot_id: ref.id,
        target: { name: target.name, engine: target.engine },
        engine_version: engineVersion,
        started_at: startedAt.toISOString(),
        finished_at: context.now().toISOString(),
        artifacts,
        ...(dependsOn.length > 0 ? { depends_on: dependsOn } : {}),
        sizes: snapshotSizes(artifacts),
        details,
      };
      return { manifest, chunked };
    } catch (error) {
      await chunked?.abandon(context.log);
      await removeFailedSnapshot(primary, ref, context.log);
      throw error;
    } finally {
      await close();
    }
  }

  return {
    target,
    abandon: close,
    async store(onProgress = () => undefined) {
      let ref: SnapshotRef;
      try {
        ref = {
          target: target.name,
          id: await allocateSnapshotId(primary, target.name, startedAt),
        };
        // Before the first byte: a start meanwhile must not take the folder for a leftover.
        await primary.markWriting?.(ref);
      } catch (error) {
        await close();
        throw error;
      }
      const { manifest: draft, chunked } = await storeArtifacts(
        ref,
        onProgress,
      );
      return pendingSnapshot(
        context,
        target,
        primary,
        ref,
        draft,
        onProgress,
        chunked,
      );
    },
  };
}

/** Dumps a target into its primary tier; see PendingSnapshot. A failure leaves nothing behind. */
export async function dumpTarget(
  context: SnapshotContext,
  target: TargetConfig,
  onProgress: ProgressListener = () => undefined,
  startedAt: Date = context.now(),
): Promise<PendingSnapshot> {
  onProgress({ phase: 'starting', bytes: 0 });
  const opened = await openDump(context, target, startedAt);
  return opened.store(onProgress);
}

function pendingSnapshot(
  context: SnapshotContext,
  target: TargetConfig,
  primary: SnapshotStorage,
  ref: SnapshotRef,
  draft: SnapshotManifest,
  onProgress: ProgressListener,
  chunked?: ChunkedStore,
): PendingSnapshot {
  return {
    target,
    ref,
    manifest: draft,
    async discard() {
      await primary.deleteSnapshot(ref);
      await chunked?.abandon(context.log);
    },
    async commit(extraDetails = {}, progress = onProgress) {
      const manifest: SnapshotManifest = {
        ...draft,
        details: { ...draft.details, ...extraDetails },
      };
      try {
        progress({
          phase: 'writing manifest',
          bytes: manifest.artifacts.reduce((sum, a) => sum + a.bytes, 0),
        });
        const driver = context.driverFor(target);
        const readme = snapshotReadme({
          manifest,
          driver,
          settings: target.settings,
          agentName: context.config.agent.name,
        });
        await primary.writeReadme(ref, readme);
        await primary.writeManifest(ref, manifest);
        await primary
          .clearWriting?.(ref)
          .catch(e => context.log(`could not remove the writer mark: ${e}`));
        // Written: the manifest now keeps its chunks alive, the lock need not.
        await chunked?.release();
        return await copyToOtherTiers(
          context,
          target,
          primary,
          ref,
          manifest,
          readme,
          progress,
        );
      } catch (error) {
        if (
          (await primary.readManifest(ref).catch(() => undefined))?.status !==
          'ok'
        ) {
          await removeFailedSnapshot(primary, ref, context.log);
          await chunked?.abandon(context.log);
        }
        throw error;
      } finally {
        await chunked?.release();
      }
    },
  };
}

async function copyToOtherTiers(
  context: SnapshotContext,
  target: TargetConfig,
  primary: SnapshotStorage,
  ref: SnapshotRef,
  manifest: SnapshotManifest,
  readme: string,
  onProgress: ProgressListener,
): Promise<BackupResult> {
  const snapshots = [toAgentSnapshot(primary, ref, manifest)];
  const keys = new EncryptionKeyring(context.config);
  const failedTiers: BackupResult['failedTiers'] = [];
  for (const tier of target.tiers.slice(1)) {
    const copy = context.storageFor(tier);
    try {
      // A copy must be restorable on its own: the snapshots it depends on go first.
      await copyDependencies(context, target, primary, copy, manifest, bytes =>
        onProgress({ phase: `copying dependencies to ${tier}`, bytes }),
      );
      await copySnapshot(
        primary,
        copy,
        ref,
        manifest,
        readme,
        bytes => onProgress({ phase: `copying to ${tier}`, bytes }),
        keyId => keys.byId(keyId),
      );
      snapshots.push(toAgentSnapshot(copy, ref, manifest));
    } catch (error) {
      failedTiers.push({ tier, error: (error as Error).message });
      await copy
        .deleteSnapshot(ref)
        .catch(e =>
          context.log(
            `could not remove the failed copy ${copy.location(ref)}: ${e}`,
          ),
        );
    }
  }
  onProgress({ phase: 'done', bytes: snapshots[0].bytes });
  return { snapshots, manifest, failedTiers };
}

/**
 * Backs a target up to its primary tier, then copies the snapshot to each other tier by
 * streaming it back from the primary (checked against the manifest on the way).
 * A failed primary throws and leaves nothing behind; a failed copy is reported per tier.
 */
export async function backupTarget(
  context: SnapshotContext,
  target: TargetConfig,
  onProgress: ProgressListener = () => undefined,
): Promise<BackupResult> {
  const pending = await dumpTarget(context, target, onProgress);
  return pending.commit({}, onProgress);
}
