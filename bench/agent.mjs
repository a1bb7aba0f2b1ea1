#!/usr/bin/env node
// `npm run bench:agent [-- <size MiB, default 500>] [--rounds=3] [--data=mixed|pgbench|md5] [--keep] [--dev-bin]`
//
// The host agent backing up a PostgreSQL database against what a platform engineer would run
// instead, on one machine, in one run, rounds interleaved (the order rotates each round),
// medians reported:
//   raw_z0     pg_dump -Fc -Z0 > /dev/null            raw   pg_dump -Fc > /dev/null
//   restic     pg_dump -Fc -Z0 | restic backup --stdin (a new repository each round)
//   borg       pg_dump -Fc -Z0 | borg create --compression zstd,3 - (a new repository each round)
//   seed_way   the runbooks: pg_dump -Fc > file, gzip, sha256sum, cp to a second folder
//   agent_api  a running `safekeep-agent serve`: POST /v1/backups, GET /v1/jobs/:id polled (as the backend calls it)
//   agent_cli  `safekeep-agent backup --json` (a new process: start-up included)
//   agent_s3   agent_api to an S3 tier (s3rver, started here on a free port in a temp folder)
// each agent backup into a new tier of its own (first backups against first backups), and
//   restic_again, borg_again, agent_api_again   the same into one repository / tier kept across
//              the rounds and seeded before them (repeated backups: every chunk already stored)
// then the restore side (createdb + pg_restore of a `pg_dump -Fc` file vs POST /v1/restores of
// the agent's snapshot into a new database), the same at about 50 MiB (small databases: fixed
// costs) and at twice the size (memory), and the agent's resident memory. The dataset is the
// mixed rows of bench/lib/mixedRows.mjs; --data=pgbench|md5 are the older pgbench shapes.
// The last line on stdout is one JSON object. See docs/performance.md ("Agent").
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_ENV, writeAgentConfig } from './lib/agentConfig.mjs';
import { buildAgent } from './lib/agentBuild.mjs';
import { startAgentServer } from './lib/agentServer.mjs';
import { ensureMixedRowsDatabase } from './lib/mixedRows.mjs';
import { createPeers, ensurePeerTools, toolVersions } from './lib/peers.mjs';
import { ensurePgbenchDatabase } from './lib/pgbenchRows.mjs';
import {
  commandExists,
  log,
  median,
  round,
  run,
  timed,
  watchPeakRss,
} from './lib/processes.mjs';
import { startS3 } from './lib/s3rver.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const found = args.find(a => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
};
const keep = args.includes('--keep');
const devBin = args.includes('--dev-bin');
const data = option('data', 'mixed');
const rounds = Number(option('rounds', '3'));
const sizeArg = args.find(a => /^\d+$/.test(a));
const known = a =>
  ['--keep', '--dev-bin'].includes(a) ||
  /^--(data|rounds)=/.test(a) ||
  a === sizeArg;
const unknown = args.filter(a => !known(a));
if (
  unknown.length > 0 ||
  !['mixed', 'pgbench', 'md5'].includes(data) ||
  !(rounds >= 1)
) {
  console.error(
    'usage: npm run bench:agent -- [size in MiB, default 500] [--rounds=N, default 3] ' +
      '[--data=mixed (default: customers, orders, order lines) | pgbench (blank filler) | md5 (hex filler)] ' +
      '[--keep (leave the databases for the next run)] [--dev-bin (bin/safekeep-agent with its TypeScript loader)]' +
      (unknown.length ? `; unknown: ${unknown.join(' ')}` : ''),
  );
  process.exit(2);
}
const sizeMiB = Number(sizeArg ?? 500);
const SMALL_MIB = 50;
const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
};
const pgArgs = ['-h', PG.host, '-p', String(PG.port), '-U', PG.user];
/** Runs SQL (several statements allowed) in `database`; its output, trimmed. */
function psql(database, sql) {
  return execFileSync(
    'psql',
    [
      ...pgArgs,
      '-X',
      '-q',
      '-At',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      database,
      '-f',
      '-',
    ],
    {
      input: sql,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
    },
  ).trim();
}

async function createDatabase(name) {
  await run('dropdb', [...pgArgs, '--if-exists', name]);
  await run('createdb', [...pgArgs, name]);
}

async function ensureDatabase(database, size) {
  const common = { database, sizeMiB: size, psql, createDatabase, log };
  if (data === 'mixed') await ensureMixedRowsDatabase(common);
  else await ensurePgbenchDatabase({ ...common, filler: data, pgArgs, run });
}

/** `safekeep-agent backup --json` as a new process: wall time, its peak RSS, the snapshot. */
async function agentCli(agent, configFile, target) {
  let watcher;
  const { seconds, result } = await timed(`agent CLI backup ${target}`, () =>
    run(
      process.execPath,
      [
        ...agent.argv,
        'backup',
        '--config',
        configFile,
        '--target',
        target,
        '--json',
      ],
      {
        stdout: 'pipe',
        env: { ...process.env, ...agent.env, ...AGENT_ENV },
        onSpawn: child => (watcher = watchPeakRss(child.pid)),
      },
    ),
  );
  const peakMiB = watcher.stop();
  const outcome = JSON.parse(result.stdout);
  if (!outcome.ok)
    throw new Error(`the agent backup of ${target} failed: ${outcome.error}`);
  return { seconds, peakMiB, snapshot: outcome.snapshots[0] };
}

async function agentApi(server, target) {
  const { seconds, result } = await timed(`agent API backup ${target}`, () =>
    server.backup(target),
  );
  const snapshot = result.snapshots[0];
  log(
    `  stored ${(snapshot.bytes / 2 ** 20).toFixed(1)} MiB of ${(
      snapshot.rawBytes /
      2 ** 20
    ).toFixed(1)} MiB raw`,
  );
  return { seconds, snapshot };
}

/** Resets a process's peak RSS (VmHWM) so the next phase measures its own peak. */
function resetPeak(pid) {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Runs each contender once per round, the order rotated every round; every time per contender. */
let interrupted = false;

async function interleave(label, contenders, roundCount) {
  const times = Object.fromEntries(
    Object.keys(contenders).map(name => [name, []]),
  );
  const names = Object.keys(contenders);
  for (let r = 0; r < roundCount; r++) {
    log(`--- ${label}: round ${r + 1} of ${roundCount}`);
    for (let i = 0; i < names.length; i++) {
      if (interrupted) throw new Error('interrupted');
      const name = names[(i + r) % names.length];
      times[name].push(await contenders[name]());
    }
  }
  return times;
}

async function main() {
  for (const tool of [
    'pg_dump',
    'pg_restore',
    'psql',
    'createdb',
    'dropdb',
    'gzip',
    'sha256sum',
    ...(data === 'mixed' ? [] : ['pgbench']),
  ]) {
    if (!(await commandExists(tool)))
      throw new Error(
        `${tool} is not on PATH; install the PostgreSQL client tools (and gzip, coreutils)`,
      );
  }
  await ensurePeerTools();
  const prefix = `safekeep_bench_agent_${data}`;
  const db = `${prefix}_${sizeMiB}m`;
  const db2x = `${prefix}_${sizeMiB * 2}m`;
  const small = `${prefix}_${SMALL_MIB}m`;
  const databases = [...new Set([db, db2x, small])];
  const restoreInto = `${prefix}_restored`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-bench-agent-'));
  const s3 = await startS3({ root: ROOT, dir: path.join(dir, 's3rver') });
  const loadBefore = os.loadavg();
  let server;
  try {
    await ensureDatabase(db, sizeMiB);
    await ensureDatabase(small, SMALL_MIB);
    await ensureDatabase(db2x, sizeMiB * 2);
    // Every agent backup that is timed as a first one goes into a tier of its own, empty until
    // then, as restic's and borg's into a new repository: a tier that kept an earlier round's
    // snapshot would find every chunk stored and only cut and hash.
    const ownTiers = [];
    const declare = (label, database, kind, count) => {
      const names = [];
      for (let i = 1; i <= count; i++) {
        const name = `${label}-${i}`;
        ownTiers.push({ name, database, kind });
        names.push(name);
      }
      return names;
    };
    const smallRounds = Math.max(rounds, 5);
    const tiers = {
      api: declare('main-api', db, 'fs', rounds),
      cli: declare('main-cli', db, 'fs', rounds),
      s3: declare('main-s3', db, 's3', rounds),
      again: declare('main-again', db, 'fs', 1)[0],
      smallApi: declare('small-api', small, 'fs', smallRounds),
      smallCli: declare('small-cli', small, 'fs', smallRounds),
      doubleApi: declare('2x-api', db2x, 'fs', 1)[0],
      doubleCli: declare('2x-cli', db2x, 'fs', 1)[0],
      doubleS3: declare('2x-s3', db2x, 's3', 1)[0],
    };
    const config = writeAgentConfig({
      dir,
      pg: PG,
      databases,
      s3Endpoint: s3.endpoint,
      restoreInto,
      ownTiers,
    });
    const agent = await buildAgent({ root: ROOT, dir, devBin });
    const peers = createPeers({ pg: PG, dir: path.join(dir, 'peers') });
    const sizeOf = name =>
      Number(psql('postgres', `SELECT pg_database_size('${name}')`));

    const cliStart = [];
    for (let i = 0; i < 5; i++)
      cliStart.push(
        (
          await timed('safekeep-agent --version', () =>
            run(process.execPath, [...agent.argv, '--version'], {
              env: { ...process.env, ...agent.env },
            }),
          )
        ).seconds,
      );
    server = await startAgentServer({
      agent,
      configFile: config,
      env: AGENT_ENV,
    });
    const canResetPeak = resetPeak(server.pid);

    // Warm the page cache once for every contender.
    await peers.raw(db, { z0: true });
    log(`=== ${db}: ${(sizeOf(db) / 2 ** 20).toFixed(0)} MiB`);
    // The repeated backups' repositories and tier, seeded once (untimed in the medians).
    log('--- seeding the kept repositories and tier');
    await peers.restic(db, { kept: 'main' });
    await peers.borg(db, { kept: 'main' });
    await agentApi(server, tiers.again);
    let lastApiSnapshot;
    let lastApiTarget;
    const cliPeaks = [];
    const main = await interleave(
      db,
      {
        raw_z0: () => peers.raw(db, { z0: true }),
        raw: () => peers.raw(db),
        restic: () => peers.restic(db),
        borg: () => peers.borg(db),
        seed_way: () => peers.seedWay(db),
        agent_api: async () => {
          lastApiTarget = tiers.api.shift();
          const result = await agentApi(server, lastApiTarget);
          lastApiSnapshot = result.snapshot;
          return result.seconds;
        },
        agent_cli: async () => {
          const result = await agentCli(agent, config, tiers.cli.shift());
          cliPeaks.push(result.peakMiB);
          return result.seconds;
        },
        agent_s3: async () =>
          (
            await agentApi(server, tiers.s3.shift())
          ).seconds,
        restic_again: () => peers.restic(db, { kept: 'main' }),
        borg_again: () => peers.borg(db, { kept: 'main' }),
        agent_api_again: async () =>
          (
            await agentApi(server, tiers.again)
          ).seconds,
      },
      rounds,
    );

    const dumpFile = await peers.dumpFile(db);
    const restores = await interleave(
      `${db} restore`,
      {
        pg_restore: async () => {
          const seconds = await peers.pgRestore(dumpFile, restoreInto);
          await peers.dropDatabase(restoreInto);
          return seconds;
        },
        agent_restore: async () => {
          const { seconds, result } = await timed(
            `agent API restore into ${restoreInto}`,
            () => server.restore(lastApiTarget, lastApiSnapshot.id, 'scratch'),
          );
          if (result.details?.differences?.length)
            throw new Error(
              `restore check differs: ${result.details.differences.join('; ')}`,
            );
          await peers.dropDatabase(restoreInto);
          return seconds;
        },
      },
      rounds,
    );
    const peak1x = Math.max(server.peakRssMiB(), ...cliPeaks);

    log(`=== ${small}: ${(sizeOf(small) / 2 ** 20).toFixed(0)} MiB`);
    await peers.raw(small);
    const smallRuns = await interleave(
      small,
      {
        raw: () => peers.raw(small),
        agent_api: async () =>
          (
            await agentApi(server, tiers.smallApi.shift())
          ).seconds,
        agent_cli: async () =>
          (
            await agentCli(agent, config, tiers.smallCli.shift())
          ).seconds,
      },
      smallRounds,
    );

    log(`=== ${db2x}: ${(sizeOf(db2x) / 2 ** 20).toFixed(0)} MiB`);
    if (canResetPeak) resetPeak(server.pid);
    await peers.raw(db2x, { z0: true });
    const cli2x = await agentCli(agent, config, tiers.doubleCli);
    const double = {
      raw: await peers.raw(db2x),
      agent_api: (await agentApi(server, tiers.doubleApi)).seconds,
      agent_s3: (await agentApi(server, tiers.doubleS3)).seconds,
    };
    const peak2x = Math.max(server.peakRssMiB(), cli2x.peakMiB);

    const m = Object.fromEntries(
      Object.entries(main).map(([name, times]) => [name, median(times)]),
    );
    const r = Object.fromEntries(
      Object.entries(restores).map(([name, times]) => [name, median(times)]),
    );
    const s = Object.fromEntries(
      Object.entries(smallRuns).map(([name, times]) => [name, median(times)]),
    );
    const ratios = {
      agent_over_restic: m.agent_api / m.restic,
      agent_over_borg: m.agent_api / m.borg,
      agent_over_raw: m.agent_api / m.raw,
      small_agent_over_raw: s.agent_api / s.raw,
      restore_ratio: r.agent_restore / r.pg_restore,
    };
    // Repeated backups (every tool finds the chunks of the seeding backup): reported, no bound.
    const repeated = {
      agent_again_over_restic_again: m.agent_api_again / m.restic_again,
      agent_again_over_borg_again: m.agent_api_again / m.borg_again,
    };
    const bounds = {
      agent_over_restic: 0.9,
      agent_over_borg: 1.0,
      agent_over_raw: 0.85,
      small_agent_over_raw: 1.3,
      restore_ratio: 1.05,
      peak_rss_mib: 110,
      peak_rss_2x_mib: 110,
      idle_rss_mib: 70,
    };
    const measured = {
      ...ratios,
      peak_rss_mib: canResetPeak ? peak1x : Math.max(...cliPeaks),
      peak_rss_2x_mib: peak2x,
      idle_rss_mib: server.idleRssMiB,
    };
    const summary = {
      data: {
        mixed: 'mixed rows (customers, products, orders, order lines)',
        pgbench: 'pgbench -i (blank filler)',
        md5: 'pgbench tables, filler of hex text',
      }[data],
      size_mib: sizeMiB,
      rounds,
      db_bytes: sizeOf(db),
      raw_s: round(m.raw),
      raw_z0_s: round(m.raw_z0),
      restic_s: round(m.restic),
      borg_s: round(m.borg),
      seed_way_s: round(m.seed_way),
      agent_api_s: round(m.agent_api),
      agent_cli_s: round(m.agent_cli),
      agent_s3_s: round(m.agent_s3),
      ...Object.fromEntries(
        Object.entries(ratios).map(([k, v]) => [k, round(v, 3)]),
      ),
      first_backups:
        'agent_*_s, restic_s, borg_s: each backup into a new tier / repository',
      restic_again_s: round(m.restic_again),
      borg_again_s: round(m.borg_again),
      agent_api_again_s: round(m.agent_api_again),
      ...Object.fromEntries(
        Object.entries(repeated).map(([k, v]) => [k, round(v, 3)]),
      ),
      pg_restore_s: round(r.pg_restore),
      agent_restore_s: round(r.agent_restore),
      peak_rss_mib: round(measured.peak_rss_mib, 1),
      peak_rss_2x_mib: round(peak2x, 1),
      idle_rss_mib: round(server.idleRssMiB, 1),
      cli_start_s: round(median(cliStart), 3),
      serve_ready_s: round(server.startSeconds, 2),
      stored_bytes: lastApiSnapshot.bytes,
      raw_dump_bytes: lastApiSnapshot.rawBytes,
      small_db_bytes: sizeOf(small),
      small_raw_s: round(s.raw, 3),
      small_agent_api_s: round(s.agent_api, 3),
      small_agent_cli_s: round(s.agent_cli, 3),
      db_2x_bytes: sizeOf(db2x),
      raw_2x_s: round(double.raw),
      agent_api_2x_s: round(double.agent_api),
      agent_s3_2x_s: round(double.agent_s3),
      agent_cli_2x_s: round(cli2x.seconds),
      targets: Object.fromEntries(
        Object.entries(bounds).map(([name, bound]) => [
          name,
          {
            value: round(measured[name], 3),
            bound,
            met: measured[name] <= bound,
          },
        ]),
      ),
      every_round: { main, restores, small: smallRuns },
      agent_run_as: devBin
        ? 'bin/safekeep-agent (TypeScript loader)'
        : 'bundled build (esbuild, dependencies from node_modules)',
      tools: toolVersions(),
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        memory_gib: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
      },
      load_average_before: loadBefore.map(l => round(l)),
      load_average_after: os.loadavg().map(l => round(l)),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await server?.stop();
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await run('dropdb', [...pgArgs, '--if-exists', restoreInto]).catch(
      () => undefined,
    );
    if (!keep) {
      for (const name of databases)
        await run('dropdb', [...pgArgs, '--if-exists', name]).catch(e =>
          log(`could not drop ${name}: ${e.message}`),
        );
      log(
        `dropped ${databases.join(', ')} (pass --keep to reuse them next time)`,
      );
    }
  }
}

// Ctrl-C or kill: end through main's finally (the agent server, s3rver, temp folder, databases).
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    log(`${signal}: stopping`);
    interrupted = true;
  });

main().catch(error => {
  console.error(`[bench:agent] ${error.stack ?? error}`);
  process.exit(1);
});
