#!/usr/bin/env node
// `npm run bench:dedup [-- <size MiB, default 200>] [--backups=10] [--restores=3] [--keep] [--dev-bin]`
//
// What ten daily backups of one PostgreSQL database cost in storage, three ways, on one machine
// in one run: the agent in the chunked format (the default), the agent in the whole format (a
// compressed copy per snapshot) and restic (pg_dump -Fc -Z0 | restic backup --stdin). The
// dataset is the mixed rows of bench/lib/mixedRows.mjs, copied from its template database so
// every run starts from the same rows; between two backups about 1 % of the orders are updated
// and 0.5 % inserted (changeMixedRowsSql). Each backup round backs the same state up all three
// ways, the order rotating. Then the last snapshot is restored (POST /v1/restores into a new
// database) in both agent formats, interleaved, medians compared.
// The last line on stdout is one JSON object. See docs/performance.md ("Deduplicated snapshots").
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAgent } from './lib/agentBuild.mjs';
import { startAgentServer } from './lib/agentServer.mjs';
import {
  changeMixedRowsSql,
  ensureMixedRowsDatabase,
} from './lib/mixedRows.mjs';
import { ensurePeerTools, toolVersions } from './lib/peers.mjs';
import { log, median, round, run, shell, timed } from './lib/processes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const found = args.find(a => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
};
const keep = args.includes('--keep');
const devBin = args.includes('--dev-bin');
const backups = Number(option('backups', '10'));
const restores = Number(option('restores', '3'));
const sizeArg = args.find(a => /^\d+$/.test(a));
const known = a =>
  ['--keep', '--dev-bin'].includes(a) ||
  /^--(backups|restores)=/.test(a) ||
  a === sizeArg;
const unknown = args.filter(a => !known(a));
if (unknown.length > 0 || !(backups >= 2) || !(restores >= 1)) {
  console.error(
    'usage: npm run bench:dedup -- [size in MiB, default 200] [--backups=N, default 10, at least 2] ' +
      '[--restores=N, default 3] [--keep (leave the template database for the next run)] ' +
      '[--dev-bin (bin/safekeep-agent with its TypeScript loader)]' +
      (unknown.length ? `; unknown: ${unknown.join(' ')}` : ''),
  );
  process.exit(2);
}
const sizeMiB = Number(sizeArg ?? 200);
/** Between two backups: orders updated, orders inserted (the "a day of use"). */
const UPDATED = 0.01;
const INSERTED = 0.005;
const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
};
const pgArgs = ['-h', PG.host, '-p', String(PG.port), '-U', PG.user];
const pgEnv = { PGHOST: PG.host, PGPORT: String(PG.port), PGUSER: PG.user };
const AGENT_ENV = { SAFEKEEP_BENCH_TOKEN: 'bench-token-d3d0b5e7c1a9x9x9x9x9' };

function psql(database, sql) {
  return execFileSync(
    'psql',
    [...pgArgs, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', database],
    { input: sql, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  ).trim();
}

async function createDatabase(name, template) {
  await run('dropdb', [...pgArgs, '--if-exists', name]);
  await run('createdb', [
    ...pgArgs,
    ...(template ? ['--template', template] : []),
    name,
  ]);
}

/** Bytes of every file below `dir` (what the tier or repository takes). */
function bytesBelow(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += bytesBelow(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

function writeAgentConfig(dir, database, restoreInto) {
  const target = tier => ({
    engine: 'postgres',
    host: PG.host,
    port: PG.port,
    user: PG.user,
    databases: [database],
    globals: false,
    tiers: [tier],
    destinations: { scratch: restoreInto },
  });
  const config = {
    agent: {
      name: 'bench-dedup',
      token: { env: 'SAFEKEEP_BENCH_TOKEN' },
      staging: path.join(dir, 'staging'),
    },
    storage: {
      chunked: {
        type: 'filesystem',
        path: path.join(dir, 'chunked'),
        format: 'chunked',
      },
      whole: {
        type: 'filesystem',
        path: path.join(dir, 'whole'),
        format: 'whole',
      },
    },
    targets: { 'db-chunked': target('chunked'), 'db-whole': target('whole') },
  };
  const file = path.join(dir, 'agent.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

async function main() {
  await ensurePeerTools();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-bench-dedup-'));
  const template = `safekeep_bench_dedup_${sizeMiB}`;
  const database = `${template}_work`;
  const restoreInto = `${template}_restored`;
  let server;
  try {
    await ensureMixedRowsDatabase({
      database: template,
      sizeMiB,
      psql,
      createDatabase: name => createDatabase(name),
      log,
    });
    // A fresh copy: the rounds change it, the template stays as generated.
    await createDatabase(database, template);
    const databaseBytes = Number(
      psql('postgres', `SELECT pg_database_size('${database}')`),
    );
    log(`=== ${database}: ${(databaseBytes / 2 ** 20).toFixed(0)} MiB`);

    const config = writeAgentConfig(dir, database, restoreInto);
    const agent = await buildAgent({ root: ROOT, dir, devBin });
    server = await startAgentServer({
      agent,
      configFile: config,
      env: AGENT_ENV,
    });
    const resticRepo = path.join(dir, 'restic');
    const resticEnv = {
      ...pgEnv,
      RESTIC_REPOSITORY: resticRepo,
      RESTIC_PASSWORD: 'bench',
      RESTIC_CACHE_DIR: path.join(dir, 'restic-cache'),
    };
    await shell('restic init -q', resticEnv);

    const times = { chunked: [], whole: [], restic: [] };
    const snapshots = { chunked: [], whole: [] };
    const contenders = {
      chunked: async () => {
        const { seconds, result } = await timed('agent chunked backup', () =>
          server.backup('db-chunked'),
        );
        snapshots.chunked.push(result.snapshots[0]);
        return seconds;
      },
      whole: async () => {
        const { seconds, result } = await timed('agent whole backup', () =>
          server.backup('db-whole'),
        );
        snapshots.whole.push(result.snapshots[0]);
        return seconds;
      },
      restic: async () =>
        (
          await timed('pg_dump -Fc -Z0 | restic backup --stdin', () =>
            shell(
              `pg_dump -Fc -Z0 "${database}" | restic backup -q --stdin --stdin-filename "${database}.dump"`,
              resticEnv,
            ),
          )
        ).seconds,
    };
    const names = Object.keys(contenders);
    let oneBackup;
    for (let i = 0; i < backups; i++) {
      if (i > 0) {
        await timed(
          `round ${i + 1}: ${UPDATED * 100} % of the orders updated, ${
            INSERTED * 100
          } % inserted`,
          async () =>
            psql(database, changeMixedRowsSql(UPDATED, i + 1, INSERTED)),
        );
      }
      // The order rotates each round, so no contender always runs on a warm cache.
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + k) % names.length];
        times[name].push(await contenders[name]());
      }
      if (i === 0)
        oneBackup = {
          chunked: bytesBelow(path.join(dir, 'chunked')),
          whole: bytesBelow(path.join(dir, 'whole')),
          restic: bytesBelow(resticRepo),
        };
    }
    const stored = {
      chunked: bytesBelow(path.join(dir, 'chunked')),
      whole: bytesBelow(path.join(dir, 'whole')),
      restic: bytesBelow(resticRepo),
    };
    log(
      `stored after ${backups} backups: chunked ${stored.chunked}, whole ${stored.whole}, restic ${stored.restic} bytes`,
    );

    const restoreTimes = { chunked: [], whole: [] };
    for (let i = 0; i < restores; i++) {
      for (const format of i % 2 === 0
        ? ['chunked', 'whole']
        : ['whole', 'chunked']) {
        const last = snapshots[format][snapshots[format].length - 1];
        const { seconds, result } = await timed(
          `agent ${format} restore into ${restoreInto}`,
          () => server.restore(`db-${format}`, last.id, 'scratch'),
        );
        const differences = result.details?.differences ?? [];
        if (differences.length > 0)
          throw new Error(
            `the ${format} restore's check differs: ${differences.join('; ')}`,
          );
        restoreTimes[format].push(seconds);
        await run('dropdb', [...pgArgs, '--if-exists', restoreInto]);
      }
    }

    const lastChunked = snapshots.chunked[snapshots.chunked.length - 1];
    const med = Object.fromEntries(
      Object.entries(times).map(([name, list]) => [name, median(list)]),
    );
    const result = {
      bench: 'dedup',
      dataset: 'mixed',
      database_mib: round(databaseBytes / 2 ** 20, 1),
      backups,
      updated_per_round: UPDATED,
      inserted_per_round: INSERTED,
      cpus: os.cpus().length,
      load_average: os.loadavg().map(l => round(l, 2)),
      tools: toolVersions(),
      stored_bytes_chunked: stored.chunked,
      stored_bytes_whole: stored.whole,
      stored_bytes_restic: stored.restic,
      one_backup_bytes: oneBackup.chunked,
      one_backup_bytes_whole: oneBackup.whole,
      one_backup_bytes_restic: oneBackup.restic,
      last_snapshot: {
        raw_bytes: lastChunked.rawBytes,
        new_bytes: lastChunked.newBytes,
        dedup_ratio: lastChunked.dedupRatio,
      },
      backup_seconds_median: Object.fromEntries(
        Object.entries(med).map(([k, v]) => [k, round(v, 2)]),
      ),
      restore_seconds_median: {
        chunked: round(median(restoreTimes.chunked), 2),
        whole: round(median(restoreTimes.whole), 2),
      },
      chunked_over_one: round(stored.chunked / oneBackup.chunked, 3),
      chunked_over_restic: round(stored.chunked / stored.restic, 3),
      backup_time_ratio: round(med.chunked / med.whole, 3),
      restore_time_ratio: round(
        median(restoreTimes.chunked) / median(restoreTimes.whole),
        3,
      ),
      targets: {
        chunked_over_one: 2.0,
        chunked_over_restic: 1.1,
        backup_time_ratio: 1.1,
        restore_time_ratio: 1.1,
      },
    };
    console.log(JSON.stringify(result));
  } finally {
    await server?.stop();
    await run('dropdb', [...pgArgs, '--if-exists', database]).catch(
      () => undefined,
    );
    await run('dropdb', [...pgArgs, '--if-exists', restoreInto]).catch(
      () => undefined,
    );
    if (!keep)
      await run('dropdb', [...pgArgs, '--if-exists', template]).catch(
        () => undefined,
      );
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
