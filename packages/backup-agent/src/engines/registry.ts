import type { EngineDriver } from './EngineDriver';
import { directoryDriver } from './directory/DirectoryDriver';
import { sqliteDriver } from './sqlite/SqliteDriver';

/** Every engine this agent can back up. Adding an engine: write its driver, add it here. */
const DRIVERS: Array<EngineDriver<any>> = [sqliteDriver, directoryDriver];

const BY_ENGINE = new Map(DRIVERS.map(driver => [driver.engine, driver]));

export function findDriver(engine: string): EngineDriver<unknown> | undefined {
  return BY_ENGINE.get(engine);
}

export function supportedEngines(): string[] {
  return DRIVERS.map(driver => driver.engine);
}
