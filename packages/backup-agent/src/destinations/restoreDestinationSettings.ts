import fs from 'node:fs';
import type { ConfigContext } from '../config/ConfigContext';
import type { TargetConfig } from '../config/loadConfig';
import type { EngineDriver } from '../engines/EngineDriver';
import { pathOverlap } from '../fs/pathOverlap';
import { RestoreRefusedError } from '../snapshots/errors';

/**
 * The settings a restore writes to (`restore --to`, or a declared API destination), refused
 * when that destination is, lies in or holds the target's own live data: restored into a
 * sub-folder it would be swapped into the live folder (and backed up with it next time); into
 * a parent folder it would replace the live data and everything beside it.
 */
export function restoreDestinationSettings(
  driver: EngineDriver<any>,
  target: TargetConfig,
  destination: string,
  context: ConfigContext,
): unknown {
  const settings = driver.withDestination(
    target.settings,
    destination,
    context,
  );
  const own = driver.livePath?.(target.settings);
  const chosen = driver.livePath?.(settings);
  if (own && chosen) {
    const overlap = pathOverlap(chosen, own);
    if (overlap) {
      throw new RestoreRefusedError(
        `the destination ${chosen} ${overlap} the target's own live data (${pathOverlapShown(
          own,
        )}): ` +
          `restore in place without --to, or --to a folder outside it (for the API, declare such a destination in targets.${target.name}.destinations)`,
        'live-data',
      );
    }
  }
  return settings;
}

/** The live path as the overlap saw it (symlinks followed), so the message names the real folder. */
function pathOverlapShown(own: string): string {
  try {
    return fs.realpathSync(own);
  } catch {
    return own;
  }
}
