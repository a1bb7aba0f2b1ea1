#!/usr/bin/env node
// `npm run bench:agent [-- <scale>] [--keep] [--data=md5] [--dev-bin]`: the host agent backing up a pgbench database
// (scale 70 is about 1 GB) against the tools it replaces, timed in one run:
//   raw       pg_dump -Fc > /dev/null
//   agent_fs  safekeep-agent backup --json to a filesystem tier (a child process, as in production)
//   agent_s3  the same to an S3 tier (s3rver, started here on a free port in a temp folder)
//   seed_way  what the runbooks do: pg_dump to a file, gzip, sha256sum, cp to a second folder
// and the agent's peak RSS (VmHWM of its process, polled) at the scale and at twice the scale.
// The last line on stdout is one JSON object. See docs/performance.md ("Agent").
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AGENT_BIN = path.join(ROOT, 'packages/backup-agent/bin/safekeep-agent');
const requireFromAgent = createRequire(
  path.join(ROOT, 'packages/backup-agent/package.json'),
);

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const devBin = args.includes('--dev-bin');
// pgbench's own rows have a blank filler column: its dump compresses 35:1 and compression costs
// next to nothing. `--data=md5` fills it with hex text (about 4:1, like much real data) instead.
const md5Filler = args.includes('--data=md5');
const scaleArg = args.find(a => /^\d+$/.test(a));
const unknown = args.filter(
  a =>
    !['--keep', '--dev-bin', '--data=md5', '--data=pgbench', scaleArg].includes(
      a,
    ),
);
if (unknown.length > 0) {
  console.error(
    'usage: npm run bench:agent -- [scale, default 70 (about 1 GB)] [--keep (leave the pgbench databases)] ' +
      '[--data=pgbench (default) | --data=md5 (hex text in the filler column)] ' +
      `[--dev-bin (run bin/safekeep-agent with its TypeScript loader instead of a build)]; unknown: ${unknown.join(
        ' ',
      )}`,
  );
  process.exit(2);
}
const scale = Number(scaleArg ?? 70);
const PG = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
};
const pgArgs = ['-h', PG.host, '-p', String(PG.port), '-U', PG.user];

const log = message => process.stderr.write(`[bench:agent] ${message}\n`);

function psql(database, sql) {
  return execFileSync(
    'psql',
    [
      ...pgArgs,
      '-X',
      '-At',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      database,
      '-c',
      sql,
    ],
    { encoding: 'utf8' },
  ).trim();
}

/** Runs a command to completion; stdout to `stdout` (a file descriptor or 'pipe'); rejects on a non-zero exit. */
function run(command, commandArgs, { stdout = 'ignore', env, onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, {
      stdio: ['ignore', stdout, 'pipe'],
      env: env ?? process.env,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', chunk => (out += chunk));
    child.stderr.on('data', chunk => (err = (err + chunk).slice(-4000)));
    onSpawn?.(child);
    child.on('error', reject);
    child.on('close', code =>
      code === 0
        ? resolve({ stdout: out, stderr: err })
        : reject(
            new Error(
              `${command} ${commandArgs.join(
                ' ',
              )} exited with ${code}: ${err.trim()}`,
            ),
          ),
    );
  });
}

async function timed(what, work) {
  const started = process.hrtime.bigint();
  const result = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(`${what}: ${seconds.toFixed(2)} s`);
  return { seconds, result };
}

/** A pgbench database at this scale, reused when one with the same scale exists. */
async function ensureDatabase(name, wantedScale) {
  const exists =
    psql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${name}'`) ===
    '1';
  if (exists) {
    let found = '';
    try {
      found = psql(name, 'SELECT count(*) FROM pgbench_branches');
    } catch {
      // not a complete pgbench database: recreated below
    }
    if (found === String(wantedScale)) {
      log(`reusing ${name} (pgbench scale ${wantedScale})`);
      return;
    }
  }
  log(
    `creating ${name} with pgbench -i -s ${wantedScale}${
      md5Filler ? ' and hex filler' : ''
    }`,
  );
  await run('dropdb', [...pgArgs, '--if-exists', name]);
  await run('createdb', [...pgArgs, name]);
  if (!md5Filler) {
    await timed(`pgbench -i -s ${wantedScale}`, () =>
      run('pgbench', [...pgArgs, '-i', '-q', '-s', String(wantedScale), name]),
    );
    return;
  }
  // pgbench creates the tables (and later vacuums and adds keys); the rows are generated here,
  // as pgbench's server-side generation does, with 84 hex characters of filler.
  await run('pgbench', [
    ...pgArgs,
    '-i',
    '-q',
    '-I',
    'dt',
    '-s',
    String(wantedScale),
    name,
  ]);
  const hex =
    'md5(aid::text) || md5((aid + 1)::text) || left(md5((aid + 2)::text), 20)';
  await timed('rows with hex filler', async () =>
    psql(
      name,
      `INSERT INTO pgbench_branches (bid, bbalance) SELECT bid, 0 FROM generate_series(1, ${wantedScale}) AS bid;
       INSERT INTO pgbench_tellers (tid, bid, tbalance) SELECT tid, (tid - 1) / 10 + 1, 0 FROM generate_series(1, ${
         wantedScale * 10
       }) AS tid;
       INSERT INTO pgbench_accounts (aid, bid, abalance, filler) SELECT aid, (aid - 1) / 100000 + 1, 0, ${hex} FROM generate_series(1, ${
        wantedScale * 100000
      }) AS aid;`,
    ),
  );
  await run('pgbench', [
    ...pgArgs,
    '-i',
    '-q',
    '-I',
    'vp',
    '-s',
    String(wantedScale),
    name,
  ]);
}

/**
 * The agent as it ships: its sources (and the workspace contract package) bundled into one
 * CommonJS file, dependencies left to node_modules, as `backstage-cli package build` makes
 * dist/. The development bin compiles TypeScript on the fly instead (Backstage's Node
 * transform), which costs about 70 MiB of memory and seconds of startup: --dev-bin measures that.
 */
async function agentCommand(dir) {
  if (devBin) return { argv: [AGENT_BIN], env: {} };
  const esbuild = createRequire(path.join(ROOT, 'package.json'))('esbuild');
  const entry = path.join(dir, 'agent-entry.ts');
  const outfile = path.join(dir, 'agent.cjs');
  fs.writeFileSync(
    entry,
    `import { runCli } from ${JSON.stringify(
      path.join(ROOT, 'packages/backup-agent/src/cli/runCli'),
    )};\n` +
      'runCli(process.argv.slice(2)).then(code => { process.exitCode = code; });\n',
  );
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    logLevel: 'warning',
    plugins: [
      {
        name: 'dependencies-external',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, resolved =>
            resolved.path.startsWith('@safekeep/')
              ? undefined
              : { path: resolved.path, external: true },
          );
        },
      },
    ],
  });
  const nodePath = [
    path.join(ROOT, 'node_modules'),
    path.join(ROOT, 'packages/backup-agent/node_modules'),
  ].join(path.delimiter);
  return { argv: [outfile], env: { NODE_PATH: nodePath } };
}

async function startS3(dir) {
  const S3rver = requireFromAgent('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: 'bench-snapshots' }],
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () => server.close(),
  };
}

function writeAgentConfig(dir, databases, s3Endpoint) {
  const target = (database, tier) => ({
    engine: 'postgres',
    host: PG.host,
    port: PG.port,
    user: PG.user,
    databases: [database],
    globals: false,
    tiers: [tier],
  });
  const targets = {};
  for (const database of databases) {
    targets[`${database}-fs`] = target(database, 'local');
    targets[`${database}-s3`] = target(database, 'offsite');
  }
  const config = {
    agent: {
      name: 'bench',
      token: { env: 'SAFEKEEP_BENCH_TOKEN' },
      staging: path.join(dir, 'staging'),
    },
    storage: {
      local: { type: 'filesystem', path: path.join(dir, 'snapshots') },
      offsite: {
        type: 's3',
        bucket: 'bench-snapshots',
        endpoint: s3Endpoint,
        forcePathStyle: true,
        accessKeyId: { env: 'SAFEKEEP_BENCH_S3_KEY' },
        secretAccessKey: { env: 'SAFEKEEP_BENCH_S3_SECRET' },
      },
    },
    defaults: { compression: 'zstd' },
    targets,
  };
  const file = path.join(dir, 'agent.json');
  // JSON is YAML: the agent reads it as its YAML config.
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/** Peak resident memory of a process, from /proc/<pid>/status (VmHWM), polled until it exits. */
function watchPeakRss(child) {
  let peakKiB = 0;
  const poll = () => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match) peakKiB = Math.max(peakKiB, Number(match[1]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(poll, 50);
  return {
    stop() {
      clearInterval(timer);
      return peakKiB / 1024;
    },
  };
}

async function agentBackup(agent, configFile, target) {
  let watcher;
  const { seconds, result } = await timed(`agent backup ${target}`, () =>
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
        env: {
          ...process.env,
          ...agent.env,
          SAFEKEEP_BENCH_TOKEN: 'unused',
          SAFEKEEP_BENCH_S3_KEY: 'S3RVER',
          SAFEKEEP_BENCH_S3_SECRET: 'S3RVER',
        },
        onSpawn: child => (watcher = watchPeakRss(child)),
      },
    ),
  );
  const peakMiB = watcher.stop();
  const outcome = JSON.parse(result.stdout);
  if (!outcome.ok)
    throw new Error(`the agent backup of ${target} failed: ${outcome.error}`);
  const snapshot = outcome.snapshots[0];
  log(
    `  stored ${(snapshot.bytes / 2 ** 20).toFixed(1)} MiB (raw ${(
      snapshot.rawBytes /
      2 ** 20
    ).toFixed(1)} MiB), operation ${
      outcome.elapsedSeconds
    } s, peak RSS ${peakMiB.toFixed(1)} MiB`,
  );
  return {
    seconds,
    operationSeconds: outcome.elapsedSeconds,
    peakMiB,
    storedBytes: snapshot.bytes,
    rawBytes: snapshot.rawBytes,
  };
}

async function rawDump(database) {
  const devNull = fs.openSync('/dev/null', 'w');
  try {
    return (
      await timed(`pg_dump -Fc ${database} > /dev/null`, () =>
        run('pg_dump', [...pgArgs, '-Fc', database], { stdout: devNull }),
      )
    ).seconds;
  } finally {
    fs.closeSync(devNull);
  }
}

/** The runbooks' way (seeds 000 and 002): dump to a file, gzip it, checksum it, copy it to a second folder. */
async function seedWay(database, dir) {
  const first = path.join(dir, 'seed-backups');
  const second = path.join(dir, 'seed-offsite');
  fs.mkdirSync(first, { recursive: true });
  fs.mkdirSync(second, { recursive: true });
  const script = [
    'set -e',
    'pg_dump -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -Fc "$DB" > "$FIRST/db.dump"',
    'gzip "$FIRST/db.dump"',
    '(cd "$FIRST" && sha256sum db.dump.gz > SHA256SUMS)',
    'cp "$FIRST/db.dump.gz" "$FIRST/SHA256SUMS" "$SECOND/"',
  ].join('\n');
  const env = {
    ...process.env,
    PGHOST: PG.host,
    PGPORT: String(PG.port),
    PGUSER: PG.user,
    DB: database,
    FIRST: first,
    SECOND: second,
  };
  const { seconds } = await timed(
    `seed way (pg_dump > file, gzip, sha256sum, cp) ${database}`,
    () => run('sh', ['-c', script], { env }),
  );
  fs.rmSync(first, { recursive: true, force: true });
  fs.rmSync(second, { recursive: true, force: true });
  return seconds;
}

function clearSnapshots(dir) {
  fs.rmSync(path.join(dir, 'snapshots'), { recursive: true, force: true });
}

async function main() {
  for (const tool of ['pg_dump', 'pgbench', 'psql', 'gzip', 'sha256sum']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `${tool} is not on PATH; install the PostgreSQL client tools (and gzip, coreutils)`,
      );
    }
  }
  const suffix = md5Filler ? '_md5' : '';
  const databases = [
    `safekeep_bench_agent_s${scale}${suffix}`,
    `safekeep_bench_agent_s${scale * 2}${suffix}`,
  ];
  const [db, db2x] = databases;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-bench-agent-'));
  const s3 = await startS3(path.join(dir, 's3rver'));
  const loadBefore = os.loadavg();
  try {
    await ensureDatabase(db, scale);
    await ensureDatabase(db2x, scale * 2);
    const config = writeAgentConfig(dir, databases, s3.endpoint);
    const agent = await agentCommand(dir);
    const sizeOf = name =>
      Number(psql('postgres', `SELECT pg_database_size('${name}')`));

    const measured = {};
    for (const [label, database] of [
      ['1x', db],
      ['2x', db2x],
    ]) {
      log(
        `--- ${label}: ${database}, ${(sizeOf(database) / 2 ** 30).toFixed(
          2,
        )} GiB`,
      );
      psql(database, 'SELECT count(*) FROM pgbench_accounts'); // warm the page cache once for every contender
      const raw = await rawDump(database);
      const fsRun = await agentBackup(agent, config, `${database}-fs`);
      clearSnapshots(dir);
      const s3Run = await agentBackup(agent, config, `${database}-s3`);
      const seed = label === '1x' ? await seedWay(database, dir) : undefined;
      measured[label] = { raw, fsRun, s3Run, seed };
    }

    const one = measured['1x'];
    const two = measured['2x'];
    const round = (value, digits = 2) => Number(value.toFixed(digits));
    const summary = {
      scale,
      data: md5Filler
        ? 'pgbench tables, filler of hex text'
        : 'pgbench -i (blank filler)',
      db_bytes: sizeOf(db),
      raw_s: round(one.raw),
      agent_fs_s: round(one.fsRun.seconds),
      agent_s3_s: round(one.s3Run.seconds),
      seed_way_s: round(one.seed),
      ratio_fs: round(one.fsRun.seconds / one.raw, 3),
      ratio_s3: round(one.s3Run.seconds / one.raw, 3),
      speedup_vs_seed: round(one.seed / one.fsRun.seconds, 3),
      peak_rss_mib: round(Math.max(one.fsRun.peakMiB, one.s3Run.peakMiB), 1),
      peak_rss_2x_mib: round(Math.max(two.fsRun.peakMiB, two.s3Run.peakMiB), 1),
      agent_run_as: devBin
        ? 'bin/safekeep-agent (TypeScript loader)'
        : 'bundled build (esbuild, dependencies from node_modules)',
      agent_fs_operation_s: one.fsRun.operationSeconds,
      agent_s3_operation_s: one.s3Run.operationSeconds,
      stored_bytes: one.fsRun.storedBytes,
      raw_dump_bytes: one.fsRun.rawBytes,
      scale_2x: scale * 2,
      db_2x_bytes: sizeOf(db2x),
      raw_2x_s: round(two.raw),
      agent_fs_2x_s: round(two.fsRun.seconds),
      agent_s3_2x_s: round(two.s3Run.seconds),
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
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
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

main().catch(error => {
  console.error(`[bench:agent] ${error.stack ?? error}`);
  process.exit(1);
});
