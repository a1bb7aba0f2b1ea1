import { isEngineName } from '@safekeep/plugin-backups-common';
import type { EngineCapabilities, EngineDriver } from './EngineDriver';
import { directoryDriver } from './directory/DirectoryDriver';
import { sqliteDriver } from './sqlite/SqliteDriver';
import { postgresDriver } from './postgres/PostgresDriver';
import { mariadbDriver } from './mariadb/MariadbDriver';
import { redisDriver } from './redis/RedisDriver';
import { natsDriver } from './nats/NatsDriver';
import { s3BucketDriver } from './s3bucket/S3BucketDriver';
import { volumeDriver } from './volume/VolumeDriver';
import { neo4jDriver } from './neo4j/Neo4jDriver';
import { milvusDriver } from './milvus/MilvusDriver';
import { clickhouseDriver } from './clickhouse/ClickhouseDriver';

/**
 * The engines this agent ships. Adding one: write its driver (name, capabilities, settings
 * schema) and add it here, or register it from another package (registerEngineDriver).
 */
const BUILT_IN: Array<EngineDriver<any>> = [
  sqliteDriver,
  directoryDriver,
  natsDriver,
  s3BucketDriver,
  postgresDriver,
  mariadbDriver,
  redisDriver,
  volumeDriver,
  neo4jDriver,
  milvusDriver,
  clickhouseDriver,
];

const BY_ENGINE = new Map<string, EngineDriver<any>>(
  BUILT_IN.map(driver => [driver.engine, driver]),
);

export function findDriver(engine: string): EngineDriver<unknown> | undefined {
  return BY_ENGINE.get(engine);
}

export function supportedEngines(): string[] {
  return [...BY_ENGINE.keys()];
}

/** The registered engines whose drivers declare a capability, in registration order. */
export function enginesWith(capability: keyof EngineCapabilities): string[] {
  return [...BY_ENGINE.values()]
    .filter(driver => driver.capabilities?.[capability])
    .map(driver => driver.engine);
}

/**
 * Adds a driver at runtime (an engine from another package, or a test double).
 * Returns a function that removes it again.
 */
export function registerEngineDriver(driver: EngineDriver<any>): () => void {
  // The name crosses the API (GET /v1/targets) and the catalog (safekeep.io/engine) as it is.
  if (!isEngineName(driver.engine))
    throw new Error(
      `"${driver.engine}" is not an engine name: use lower-case letters, digits, ".", "_" or "-" (at most 64)`,
    );
  if (BY_ENGINE.has(driver.engine))
    throw new Error(
      `an engine driver for "${driver.engine}" is already registered`,
    );
  BY_ENGINE.set(driver.engine, driver);
  return () => {
    BY_ENGINE.delete(driver.engine);
  };
}
