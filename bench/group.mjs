#!/usr/bin/env node
// `npm run bench:group [-- --rounds=3] [--rows=200000] [--files-mib=64] [--dev-bin]`
//
// A consistency group's downtime, the seed way against the agent's cut, on one Docker Engine in
// one run, rounds interleaved (the order alternates), medians reported. The stack: Postgres 15
// and Redis on volumes, a volume of files, and an application container that writes the same
// counter to a Postgres row, a Redis key and a marker file in one loop, all the time.
//   seed_way  seeds 000/004: docker stop every container (in parallel), `docker run busybox tar
//             czf` each volume, sha256sum the tarballs, docker start them again
//   agent     `safekeep-agent backup --group stack --json` (mode cut: only the writer is stopped
//             while Postgres exports its snapshot, Redis forks its BGSAVE and the volume's
//             raw tar is copied into staging; all of them are stored after it runs again)
// Downtime: the seed way's first stop to last start; the agent's, the job's downtimeMs (its
// writer's stop to start). Total: the whole command. After the rounds the last agent backup
// is restored with the writer stopped and the three counters compared (`consistent`).
// Needs SAFEKEEP_TEST_DOCKER's engine and scripts/build-test-images.sh's images. The last line
// on stdout is one JSON object. See docs/performance.md ("Consistency groups").
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAgent } from './lib/agentBuild.mjs';
import { freePort, median, round, run, timed } from './lib/processes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .filter(a => a.startsWith('--'))
    .map(a => {
      const [key, value] = a.slice(2).split('=');
      return [key, value ?? true];
    }),
);
const ROUNDS = Number(args.rounds ?? 3);
const ROWS = Number(args.rows ?? 200000);
const FILES_MIB = Number(args['files-mib'] ?? 64);
const DB_IMAGE = 'safekeep-test/db:1';
const BUSYBOX = 'safekeep-test/busybox:1';
const PREFIX = `safekeep-bench-group-${process.pid}`;
const names = {
  pg: `${PREFIX}-pg`,
  cache: `${PREFIX}-cache`,
  app: `${PREFIX}-app`,
  pgdata: `${PREFIX}-pgdata`,
  redisdata: `${PREFIX}-redisdata`,
  files: `${PREFIX}-files`,
};
const say = message => process.stderr.write(`[bench:group] ${message}\n`);
const docker = (...argv) => run('docker', argv, { stdout: 'pipe' });

async function startStack(pgPort, redisPort) {
  for (const volume of [names.pgdata, names.redisdata, names.files])
    await docker('volume', 'create', volume);
  await docker(
    'run',
    '--rm',
    '-v',
    `${names.files}:/d`,
    BUSYBOX,
    'sh',
    '-c',
    `echo 0 > /d/marker && head -c ${
      FILES_MIB * 1048576
    } /dev/urandom > /d/uploads.bin`,
  );
  const pgBin = '/usr/lib/postgresql/15/bin';
  await docker(
    'run',
    '-d',
    '--name',
    names.pg,
    '--network',
    'host',
    '-v',
    `${names.pgdata}:/var/lib/pgtest`,
    DB_IMAGE,
    'sh',
    '-c',
    [
      'set -e',
      'chown postgres /var/lib/pgtest',
      `[ -f /var/lib/pgtest/data/PG_VERSION ] || setpriv --reuid=postgres --regid=postgres --init-groups ${pgBin}/initdb -D /var/lib/pgtest/data -U postgres --auth=trust >/dev/null`,
      `exec setpriv --reuid=postgres --regid=postgres --init-groups ${pgBin}/postgres -D /var/lib/pgtest/data -p ${pgPort} -k /tmp -c listen_addresses=127.0.0.1`,
    ].join('\n'),
  );
  await docker(
    'run',
    '-d',
    '--name',
    names.cache,
    '--network',
    'host',
    '-v',
    `${names.redisdata}:/data`,
    DB_IMAGE,
    'redis-server',
    '--port',
    String(redisPort),
    '--bind',
    '127.0.0.1',
    '--dir',
    '/data',
    '--save',
    '3600 1',
    '--appendonly',
    'no',
  );
  const psql = (sql, db = 'postgres') =>
    docker(
      'exec',
      names.pg,
      'psql',
      '-h',
      '127.0.0.1',
      '-p',
      String(pgPort),
      '-U',
      'postgres',
      '-d',
      db,
      '-qAtc',
      sql,
    );
  for (let tries = 0; ; tries++) {
    try {
      await psql('SELECT 1');
      await docker(
        'exec',
        names.cache,
        'redis-cli',
        '-p',
        String(redisPort),
        'ping',
      );
      break;
    } catch (error) {
      if (tries > 100) throw error;
      await new Promise(resolve => setTimeout(resolve, 200));
    }
  }
  await psql('CREATE DATABASE app');
  await psql(
    `CREATE TABLE counter (n int); INSERT INTO counter VALUES (0);
     CREATE TABLE events AS SELECT g AS id, md5(g::text) AS body, now() AS at FROM generate_series(1, ${ROWS}) g`,
    'app',
  );
  await docker(
    'exec',
    names.cache,
    'sh',
    '-c',
    `for i in $(seq 1 200); do echo "SET key:$i $(head -c 2000 /dev/urandom | base64 -w0)"; done | redis-cli -p ${redisPort} >/dev/null`,
  );
  const loop = [
    "trap 'stop=1' TERM INT",
    'i=$(cat /data/marker)',
    'while [ -z "$stop" ]; do',
    '  i=$((i+1))',
    `  until psql -h 127.0.0.1 -p ${pgPort} -U postgres -d app -qc "UPDATE counter SET n = $i" >/dev/null 2>&1; do [ -n "$stop" ] && exit 0; sleep 0.1; done`,
    `  until redis-cli -p ${redisPort} SET counter $i >/dev/null 2>&1; do [ -n "$stop" ] && exit 1; sleep 0.1; done`,
    '  echo $i > /data/marker',
    'done',
  ].join('\n');
  await docker(
    'run',
    '-d',
    '--name',
    names.app,
    '--network',
    'host',
    '-v',
    `${names.files}:/data`,
    DB_IMAGE,
    'sh',
    '-c',
    loop,
  );
  return { psql };
}

async function readCounters(pgPort, redisPort) {
  const [postgres, redis, marker] = await Promise.all([
    docker(
      'exec',
      names.pg,
      'psql',
      '-h',
      '127.0.0.1',
      '-p',
      String(pgPort),
      '-U',
      'postgres',
      '-d',
      'app',
      '-qAtc',
      'SELECT n FROM counter',
    ),
    docker(
      'exec',
      names.cache,
      'redis-cli',
      '-p',
      String(redisPort),
      'GET',
      'counter',
    ),
    docker(
      'run',
      '--rm',
      '-v',
      `${names.files}:/d:ro`,
      BUSYBOX,
      'cat',
      '/d/marker',
    ),
  ]);
  return {
    postgres: Number(postgres.stdout.trim()),
    redis: Number(redis.stdout.trim()),
    marker: Number(marker.stdout.trim()),
  };
}

/** Seeds 000/004: stop all, tar czf each volume, sha256, start all. */
async function seedWay(outDir) {
  const all = [names.app, names.pg, names.cache];
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  await Promise.all(all.map(name => docker('stop', '-t', '30', name)));
  say(`seed way: stopped in ${(Date.now() - started) / 1000} s`);
  for (const volume of [names.pgdata, names.redisdata, names.files])
    await docker(
      'run',
      '--rm',
      '-v',
      `${volume}:/v:ro`,
      '-v',
      `${outDir}:/backup`,
      BUSYBOX,
      'tar',
      'czf',
      `/backup/${volume}.tar.gz`,
      '-C',
      '/v',
      '.',
    );
  await run('sh', ['-c', `cd ${outDir} && sha256sum *.tar.gz > SHA256SUMS`]);
  await Promise.all(all.map(name => docker('start', name)));
  const finished = Date.now();
  return { downtimeS: (finished - started) / 1000 };
}

async function agentWay(agent, configFile) {
  const { stdout } = await run(
    process.execPath,
    [
      ...agent.argv,
      'backup',
      '--config',
      configFile,
      '--group',
      'stack',
      '--json',
    ],
    { stdout: 'pipe', env: { ...process.env, ...agent.env } },
  );
  const outcome = JSON.parse(stdout);
  if (!outcome.ok) throw new Error(`the group backup failed: ${outcome.error}`);
  return { downtimeS: outcome.downtimeMs / 1000, outcome };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-bench-group-'));
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  try {
    say(
      `stack: Postgres (${ROWS} rows), Redis, ${FILES_MIB} MiB of files, a writer; ${ROUNDS} rounds`,
    );
    await startStack(pgPort, redisPort);
    const agent = await buildAgent({
      root: ROOT,
      dir,
      devBin: Boolean(args['dev-bin']),
    });
    const configFile = path.join(dir, 'agent.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        agent: {
          name: 'bench-group',
          token: { env: 'SAFEKEEP_BENCH_TOKEN' },
          staging: './staging',
        },
        storage: { local: { type: 'filesystem', path: './snapshots' } },
        docker: { helperImage: BUSYBOX, stopTimeoutSeconds: 30 },
        targets: {
          db: {
            engine: 'postgres',
            port: pgPort,
            databases: ['app'],
            globals: false,
            container: names.pg,
          },
          cache: { engine: 'redis', port: redisPort, container: names.cache },
          files: { engine: 'volume', volume: names.files },
        },
        groups: {
          stack: {
            containers: [names.app, names.pg, names.cache],
            targets: ['db', 'cache', 'files'],
          },
        },
      }),
    );
    process.env.SAFEKEEP_BENCH_TOKEN = 'bench-group-token-a7c3e9f1b5d2x9';
    const seed = { downtime: [], total: [] };
    const ours = { downtime: [], total: [] };
    let last;
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ['seed', 'agent'] : ['agent', 'seed'];
      for (const way of order) {
        await new Promise(resolve => setTimeout(resolve, 1000)); // the writer counts again
        if (way === 'seed') {
          const { seconds, result } = await timed(
            `round ${round + 1} seed way`,
            () => seedWay(path.join(dir, 'seed')),
          );
          seed.total.push(seconds);
          seed.downtime.push(result.downtimeS);
        } else {
          const { seconds, result } = await timed(
            `round ${round + 1} agent`,
            () => agentWay(agent, configFile),
          );
          ours.total.push(seconds);
          ours.downtime.push(result.downtimeS);
          last = result.outcome;
        }
      }
    }
    // The counter check: the last agent backup restored with the writer stopped.
    await docker('stop', '-t', '30', names.app);
    await run(
      process.execPath,
      [
        ...agent.argv,
        'restore',
        '--config',
        configFile,
        '--group',
        'stack',
        '--force',
        '--json',
      ],
      { stdout: 'pipe', env: { ...process.env, ...agent.env } },
    );
    let counters;
    for (let tries = 0; ; tries++) {
      try {
        counters = await readCounters(pgPort, redisPort);
        break;
      } catch (error) {
        if (tries > 100) throw error;
        await new Promise(resolve => setTimeout(resolve, 200));
      }
    }
    const consistent =
      counters.postgres > 0 &&
      counters.postgres === counters.redis &&
      counters.redis === counters.marker;
    const members = Object.fromEntries(
      last.details.members.map(m => [m.target, m.phases]),
    );
    const result = {
      bench: 'group',
      rounds: ROUNDS,
      rows: ROWS,
      files_mib: FILES_MIB,
      seed_way_downtime_s: round(median(seed.downtime)),
      agent_downtime_s: round(median(ours.downtime)),
      downtime_ratio: round(median(ours.downtime) / median(seed.downtime), 3),
      seed_way_total_s: round(median(seed.total)),
      agent_total_s: round(median(ours.total)),
      consistent,
      counters_after_restore: counters,
      agent_last_member_phases_ms: members,
      docker: execFileSync('docker', [
        'version',
        '--format',
        '{{.Server.Version}}',
      ])
        .toString()
        .trim(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await run('sh', [
      '-c',
      `docker rm -f ${names.app} ${names.pg} ${names.cache} >/dev/null 2>&1; docker volume rm ${names.pgdata} ${names.redisdata} ${names.files} >/dev/null 2>&1; true`,
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
