import type { TargetConfig } from '../config/loadConfig';
import { NotSupportedError } from './errors';
import type { SnapshotContext } from './SnapshotContext';

export interface DropResult {
  target: string;
  destination: string;
  /** What the engine did: "dropped database ...", "removed file ...", or why there was nothing. */
  message: string;
}

/**
 * Removes a restore destination of a target (a drill's scratch database, file or folder), the
 * same string `restore --to` takes. The driver refuses the target's own data.
 */
export async function dropDestination(
  context: SnapshotContext,
  target: TargetConfig,
  destination: string,
): Promise<DropResult> {
  const driver = context.driverFor(target);
  if (!driver.dropDestination) {
    throw new NotSupportedError(
      `the ${target.engine} engine cannot drop a restore destination yet (only sqlite, directory, postgres, mariadb, redis, volume and nats can); remove ${destination} by hand`,
    );
  }
  const settings = driver.withDestination(
    target.settings,
    destination,
    context.config.context,
  );
  const message = await driver.dropDestination(
    settings,
    target.settings,
    context.engineContext(target),
  );
  context.log(`${target.name}: ${message}`);
  return { target: target.name, destination, message };
}
