/* eslint-disable @typescript-eslint/no-require-imports */
import type * as AwsS3 from '@aws-sdk/client-s3';
import type * as AwsLibStorage from '@aws-sdk/lib-storage';
import type BetterSqlite3 from 'better-sqlite3';
import type Dockerode from 'dockerode';
import type Redis from 'ioredis';
import type * as MysqlPromise from 'mysql2/promise';
import type * as Nats from 'nats';
import type * as Pg from 'pg';
import type * as SmithyRetry from '@smithy/core/retry';
import type * as Tar from 'tar';

/**
 * The client libraries of the engines and the storage tiers, and tar, each loaded on its first
 * use instead of when the agent starts. Loading all of them took about 37 MiB of resident
 * memory and seconds of start-up on a busy machine (docs/performance.md), paid by every CLI run
 * and by every agent whatever its targets are; a PostgreSQL backup needs only pg.
 *
 * A plain `require` at the point of use: it resolves the same way in the published build
 * (rollup keeps a package's `require` as it is), the bundled bench build, the development
 * transform and jest, and keeps the callers synchronous.
 */
function onFirstUse<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

/** What `import x from 'm'` gives for a CommonJS module: its `default` when it says it is an ES module. */
function defaultExport<T>(module: { __esModule?: boolean; default?: T }): T {
  return (module.__esModule ? module.default : module) as T;
}

export const pgLibrary = onFirstUse(() => require('pg') as typeof Pg);

export const mysqlLibrary = onFirstUse(() =>
  defaultExport<typeof MysqlPromise>(require('mysql2/promise')),
);

export const redisLibrary = onFirstUse(() =>
  defaultExport<typeof Redis>(require('ioredis')),
);

export const natsLibrary = onFirstUse(() => require('nats') as typeof Nats);

export const dockerLibrary = onFirstUse(() =>
  defaultExport<typeof Dockerode>(require('dockerode')),
);

export const sqliteLibrary: () => typeof BetterSqlite3 = onFirstUse(() =>
  defaultExport<typeof BetterSqlite3>(require('better-sqlite3')),
);

export const s3Library = onFirstUse(
  () => require('@aws-sdk/client-s3') as typeof AwsS3,
);

export const s3UploadLibrary = onFirstUse(
  () => require('@aws-sdk/lib-storage') as typeof AwsLibStorage,
);

/** The SDK's retry rules: only when an S3 request failed (about 10 MiB held otherwise). */
export const s3RetryRules = onFirstUse(
  () => require('@smithy/core/retry') as typeof SmithyRetry,
);

/** Archives of folders, volumes and container files. */
export const tarLibrary = onFirstUse(() => require('tar') as typeof Tar);

/** The packages above, for the test that checks none of them loads at start. */
export const LAZY_LIBRARIES = [
  'pg',
  'mysql2',
  'ioredis',
  'nats',
  'dockerode',
  'better-sqlite3',
  '@aws-sdk/client-s3',
  '@aws-sdk/lib-storage',
  '@smithy/core',
  'tar',
];
