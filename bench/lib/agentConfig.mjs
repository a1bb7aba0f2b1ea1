// The agent config the agent benches run: one PostgreSQL target per database and tier, a
// filesystem tier and an S3 tier (s3rver), defaults as a user has them (zstd, globals included).
import fs from 'node:fs';
import path from 'node:path';

export const AGENT_ENV = {
  SAFEKEEP_BENCH_TOKEN: 'bench-token-a7c3e9f1b5d2x9x9x9x9',
  SAFEKEEP_BENCH_S3_KEY: 'S3RVER',
  SAFEKEEP_BENCH_S3_SECRET: 'S3RVER',
};

/**
 * Writes `agent.json` in `dir` (JSON is YAML: the agent reads it as its YAML config).
 * `ownTiers` lists further targets `{ name, database, kind: 'fs' | 's3' }`, each with a tier of
 * its own (a folder, or a key prefix in the bench-own bucket), empty until its first backup: a bench that
 * wants a first backup into a new tier, as restic's and borg's into a new repository.
 */
export function writeAgentConfig({
  dir,
  pg,
  databases,
  s3Endpoint,
  restoreInto,
  ownTiers = [],
}) {
  const target = (database, tier) => ({
    engine: 'postgres',
    host: pg.host,
    port: pg.port,
    user: pg.user,
    databases: [database],
    tiers: [tier],
    // The restore side restores into a new database, declared as a destination.
    destinations: { scratch: restoreInto },
  });
  const targets = {};
  for (const database of databases) {
    targets[`${database}-fs`] = target(database, 'local');
    targets[`${database}-s3`] = target(database, 'offsite');
  }
  // Own S3 tiers in a bucket of their own: the `offsite` tier's prefix is the whole bucket.
  const s3Tier = (bucket, prefix) => ({
    type: 's3',
    bucket,
    prefix,
    endpoint: s3Endpoint,
    forcePathStyle: true,
    accessKeyId: { env: 'SAFEKEEP_BENCH_S3_KEY' },
    secretAccessKey: { env: 'SAFEKEEP_BENCH_S3_SECRET' },
  });
  const storage = {
    local: { type: 'filesystem', path: path.join(dir, 'snapshots') },
    offsite: s3Tier('bench-snapshots', ''),
  };
  for (const { name, database, kind } of ownTiers) {
    if (targets[name]) throw new Error(`two targets named ${name}`);
    const tier = `tier-${name}`;
    storage[tier] =
      kind === 's3'
        ? s3Tier('bench-own', name)
        : { type: 'filesystem', path: path.join(dir, 'own', name) };
    targets[name] = target(database, tier);
  }
  const config = {
    agent: {
      name: 'bench',
      token: { env: 'SAFEKEEP_BENCH_TOKEN' },
      staging: path.join(dir, 'staging'),
    },
    storage,
    targets,
  };
  const file = path.join(dir, 'agent.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
