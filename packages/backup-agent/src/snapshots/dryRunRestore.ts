import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import type { TargetConfig } from '../config/loadConfig';
import { restoreDestinationSettings } from '../destinations/restoreDestinationSettings';
import { RestoreRefusedError } from './errors';
import { findSnapshot, usableManifest } from './findSnapshot';
import { refuseNewerEngine, RestoreChoices } from './restoreSnapshot';
import { restoreReads } from './restoreReads';
import { verifyRestoreDependencies } from './snapshotDependencies';
import type { SnapshotContext } from './SnapshotContext';
import { checkArtifacts } from './verifySnapshot';

/** Why a dry-run refuses: the RestoreRefusedError reasons, plus a destination that cannot be asked. */
export type DryRunRefusalReason = RestoreRefusedError['reason'] | 'destination';

export interface DryRunRefusal {
  reason: DryRunRefusalReason;
  message: string;
  /** Only "not-empty" may be overridden with force. */
  forceable: boolean;
}

export interface DryRunResult {
  snapshotId: string;
  tier: string;
  /** Every refusal the restore would give, one sentence each; empty when it would run. */
  refusals: string[];
  /** The same refusals with their reason, for callers that sort them. */
  refusalDetails: DryRunRefusal[];
  destination: {
    description: string;
    /** null when the destination could not be inspected (see refusals). */
    empty: boolean | null;
    summary: string;
    serverVersion: string | null;
  };
  /** Every artifact (and those of snapshots it depends on) re-read and matching its manifest. */
  verified: boolean;
  /** Containers the restore stops while it runs. */
  containersToStop: string[];
}

/**
 * Every check a restore runs (manifest version, engine and its major version against the live
 * destination, an occupied destination without force, every artifact's checksum), collected
 * instead of stopping at the first, and without writing anything to the destination.
 */
export async function dryRunRestore(
  context: SnapshotContext,
  target: TargetConfig,
  id: string,
  options: RestoreChoices = {},
): Promise<DryRunResult> {
  const refusalDetails: DryRunRefusal[] = [];
  const refuse = (error: unknown, fallback: DryRunRefusalReason) => {
    if (error instanceof RestoreRefusedError) {
      refusalDetails.push({
        reason: error.reason,
        message: error.message,
        forceable: error.forceable,
      });
    } else {
      refusalDetails.push({
        reason: fallback,
        message: (error as Error).message,
        forceable: false,
      });
    }
  };
  const driver = context.driverFor(target);
  // Throws NotFoundError (HTTP 404) when no tier has it.
  const located = await findSnapshot(context, target, id, options);
  let manifest: SnapshotManifest | undefined;
  try {
    manifest = usableManifest(located, target, context.config);
  } catch (error) {
    if (!(error instanceof RestoreRefusedError)) throw error;
    refuse(error, 'manifest');
  }

  const destination: DryRunResult['destination'] = {
    description: driver.describe(target.settings),
    empty: null,
    summary: 'not inspected',
    serverVersion: null,
  };
  let settings = target.settings;
  try {
    if (options.destination)
      settings = restoreDestinationSettings(
        driver,
        target,
        options.destination,
        context.config.context,
      );
    destination.description = driver.describe(settings);
    const engineContext = context.engineContext(target);
    destination.serverVersion = await driver.serverVersion(
      settings,
      engineContext,
    );
    if (manifest) {
      try {
        refuseNewerEngine(manifest, destination.serverVersion, target.engine);
      } catch (error) {
        refuse(error, 'version');
      }
    }
    const state = await driver.inspectDestination(settings, engineContext);
    destination.empty = state.empty;
    destination.summary = state.summary;
    if (!state.empty && !options.force) {
      refuse(
        new RestoreRefusedError(
          `the destination is not empty: ${state.summary}; restore with --force (force: true) to overwrite it, or restore elsewhere with --to (destination)`,
          'not-empty',
          true,
        ),
        'not-empty',
      );
    }
  } catch (error) {
    // A destination refused outright (its own live data) is said as it is, not "cannot inspect".
    if (error instanceof RestoreRefusedError) refuse(error, error.reason);
    else
      refuse(
        new Error(
          `cannot inspect the destination ${destination.description}: ${
            (error as Error).message
          }`,
        ),
        'destination',
      );
  }

  let verified = false;
  if (manifest) {
    try {
      const { dependencies, keys } = await restoreReads(
        located.storage,
        target,
        manifest,
        context.config,
        options.from,
      );
      const broken = (
        await checkArtifacts(
          located.storage,
          located.ref,
          manifest,
          undefined,
          keys,
        )
      ).filter(c => !c.ok);
      if (broken.length > 0) {
        throw new RestoreRefusedError(
          `the snapshot failed verification, nothing was changed: ${broken
            .map(c => c.problem)
            .join('; ')}`,
          'checksum',
        );
      }
      await verifyRestoreDependencies(
        located.storage,
        dependencies,
        keys,
        () => undefined,
      );
      verified = true;
    } catch (error) {
      refuse(error, 'checksum');
    }
  }

  const containersToStop = (driver.containerNeeds?.(settings) ?? [])
    .filter(need => need.state === 'stopped')
    .map(need => need.container);
  return {
    snapshotId: id,
    tier: located.storage.tier,
    refusals: refusalDetails.map(r => r.message),
    refusalDetails,
    destination,
    verified,
    containersToStop,
  };
}
