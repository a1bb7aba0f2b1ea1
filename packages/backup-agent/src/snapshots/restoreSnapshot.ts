import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import type { TargetConfig } from '../config/loadConfig';
import { openRawArtifact } from '../pipeline/openStoredArtifact';
import { rawNameOf } from '../pipeline/artifactNames';
import { restoreDestinationSettings } from '../destinations/restoreDestinationSettings';
import { compareDetails } from './compareDetails';
import { RestoreRefusedError } from './errors';
import { findSnapshot, usableManifest } from './findSnapshot';
import { restoreReads } from './restoreReads';
import { recordedFiles } from './restoreBounds';
import {
  dependencyOpener,
  verifyRestoreDependencies,
} from './snapshotDependencies';
import type { ProgressListener, SnapshotContext } from './SnapshotContext';
import { checkArtifacts } from './verifySnapshot';
import { withoutRunFacts } from './runFacts';

export interface RestoreOptions {
  tier?: string;
  /** Overwrite a destination that holds data. Never overrides a version refusal. */
  force?: boolean;
  /** Restore somewhere else than the target itself: a path for file engines. */
  destination?: string;
  /**
   * Restore a snapshot of this other target, read through this target's tiers: a staging copy
   * on the same host, or the same service on another host whose agent shares the storage.
   */
  from?: string;
  onProgress?: ProgressListener;
}

/** What a restore request (HTTP or CLI) may ask besides the target and snapshot. */
export type RestoreChoices = Pick<
  RestoreOptions,
  'tier' | 'force' | 'destination' | 'from'
>;

export interface RestoreResult {
  snapshotId: string;
  tier: string;
  destination: string;
  /** Counts recorded at backup time and found after the restore. */
  expected: Record<string, unknown>;
  observed: Record<string, unknown>;
  /** Empty when the check agrees with the manifest. */
  differences: string[];
}

function majorOf(version: string | null): number | undefined {
  const match = version ? /^(\d+)/.exec(version) : null;
  return match ? Number(match[1]) : undefined;
}

export function refuseNewerEngine(
  manifest: SnapshotManifest,
  destinationVersion: string | null,
  engine: string,
): void {
  const snapshotMajor = majorOf(manifest.engine_version);
  const destinationMajor = majorOf(destinationVersion);
  if (
    snapshotMajor !== undefined &&
    destinationMajor !== undefined &&
    snapshotMajor > destinationMajor
  ) {
    throw new RestoreRefusedError(
      `the snapshot was taken from ${engine} ${manifest.engine_version}, the destination runs ${destinationVersion}: ` +
        `restoring into an older major version is refused (--force does not override this); restore into ${engine} ${snapshotMajor} or newer`,
      'version',
    );
  }
}

/** A restore that passed every check and has not touched the destination yet. */
export interface PreparedRestore {
  target: TargetConfig;
  snapshotId: string;
  /** Restores, then compares the engine's check with the manifest's details. */
  apply(onProgress?: ProgressListener): Promise<RestoreResult>;
}

/**
 * Everything that can refuse a restore, decided before the destination is touched: manifest
 * version, engine and its major version, an occupied destination (unless force), and every
 * artifact's checksum.
 */
export async function prepareRestore(
  context: SnapshotContext,
  target: TargetConfig,
  id: string,
  options: RestoreOptions = {},
): Promise<PreparedRestore> {
  const onProgress = options.onProgress ?? (() => undefined);
  const driver = context.driverFor(target);
  onProgress({ phase: 'reading manifest', bytes: 0 });
  const located = await findSnapshot(context, target, id, options);
  const manifest = usableManifest(located, target, context.config);
  const { dependencies, keys } = await restoreReads(
    located.storage,
    target,
    manifest,
    context.config,
    options.from,
  );
  const settings = options.destination
    ? restoreDestinationSettings(
        driver,
        target,
        options.destination,
        context.config.context,
      )
    : target.settings;
  const engineContext = {
    ...context.engineContext(target),
    openSnapshotArtifact: dependencyOpener(located.storage, dependencies, keys),
  };

  refuseNewerEngine(
    manifest,
    await driver.serverVersion(settings, engineContext),
    target.engine,
  );

  const state = await driver.inspectDestination(settings, engineContext);
  if (!state.empty && !options.force) {
    throw new RestoreRefusedError(
      `the destination is not empty: ${state.summary}; restore with --force (force: true) to overwrite it, or restore elsewhere with --to (destination)`,
      'not-empty',
      true,
    );
  }

  const checks = await checkArtifacts(
    located.storage,
    located.ref,
    manifest,
    bytes => onProgress({ phase: 'verifying', bytes }),
    keys,
    true,
    // Chunked: the packs' sha256, not a second decode of every chunk (checked in flight).
    'packs',
  );
  const broken = checks.filter(c => !c.ok);
  if (broken.length > 0) {
    throw new RestoreRefusedError(
      `the snapshot failed verification, nothing was changed: ${broken
        .map(c => c.problem)
        .join('; ')}`,
      'checksum',
    );
  }

  await verifyRestoreDependencies(located.storage, dependencies, keys, bytes =>
    onProgress({ phase: 'verifying dependencies', bytes }),
  );

  return {
    target,
    snapshotId: id,
    async apply(progress = onProgress) {
      progress({ phase: 'restoring', bytes: 0 });
      await driver.restore(
        settings,
        manifest.artifacts.map(artifact => ({
          name: rawNameOf(artifact),
          rawBytes: artifact.raw_bytes,
          recordedFiles: recordedFiles(manifest.details),
          // Checked again in flight: the copy verified a moment ago could change under us.
          open: () =>
            openRawArtifact(
              located.storage,
              located.ref,
              artifact,
              bytes => progress({ phase: 'restoring', bytes }),
              keys,
            ),
        })),
        engineContext,
      );

      progress({ phase: 'checking', bytes: 0 });
      const observed = await driver.check(settings, engineContext);
      const differences = (driver.compareDetails ?? compareDetails)(
        withoutRunFacts(manifest.details),
        observed,
      );
      progress({ phase: 'done', bytes: 0 });
      return {
        snapshotId: id,
        tier: located.storage.tier,
        destination: driver.describe(settings),
        expected: manifest.details,
        observed,
        differences,
      };
    },
  };
}

/**
 * Restores a snapshot: every refusal first (prepareRestore), then the engine's restore, then
 * its check compared with the details recorded at backup time.
 */
export async function restoreSnapshot(
  context: SnapshotContext,
  target: TargetConfig,
  id: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const prepared = await prepareRestore(context, target, id, options);
  return prepared.apply(options.onProgress);
}
