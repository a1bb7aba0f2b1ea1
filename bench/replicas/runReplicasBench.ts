/* eslint-disable no-console */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { startStandInAgents } from './standInAgents';

/**
 * `npm run bench:replicas`: 2 and 3 real backend replicas (separate Node processes, each a
 * Backstage backend with the backups plugin) over one PostgreSQL database, a catalog of many
 * entities scheduled every minute, and stand-in agents that answer like the real one (see
 * standInAgents.ts). For each replica count: slots expected, run, duplicated, missed, and the
 * overlap count (a target with two active jobs at once), the last line as JSON.
 * Options: --replicas 2,3  --entities 1000  --agents 10  --minutes 3  --kill (SIGKILL one
 * replica half way).  PostgreSQL: SAFEKEEP_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432.
 */
const log = (message: string) =>
  process.stderr.write(`[bench:replicas] ${message}\n`);

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const MINUTE = 60_000;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise(resolve => server.close(resolve));
  return port;
}

function entitiesOf(count: number, agents: number) {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: `db-${i}`,
      namespace: 'default',
      annotations: {
        'safekeep.io/agent': `agent-${i % agents}`,
        'safekeep.io/target': `db-${i}`,
        'safekeep.io/engine': 'sqlite',
        'safekeep.io/schedule': 'every 1m',
      },
    },
    spec: { type: 'database', owner: `group:default/team-${i % 20}` },
  }));
}

interface Replica {
  child: ChildProcess;
  started: Promise<void>;
  log(): string;
}

function startReplica(config: string, entitiesFile: string): Replica {
  const child = spawn(
    process.execPath,
    [path.join(__dirname, 'replica.mjs'), '--config', config],
    {
      env: {
        ...process.env,
        SAFEKEEP_BENCH_ENTITIES: entitiesFile,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', c => (output = (output + c).slice(-20_000)));
  child.stderr!.on('data', c => (output = (output + c).slice(-20_000)));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/replica \d+: started/.test(output)) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    child.once('exit', code => {
      clearInterval(timer);
      reject(new Error(`a replica exited ${code}: ${output.slice(-3000)}`));
    });
  });
  return { child, started, log: () => output };
}

async function stopReplica(r: Replica, signal: NodeJS.Signals) {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise(resolve => r.child.once('exit', resolve));
  r.child.kill(signal);
  const timer = setTimeout(() => r.child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function runOnce(settings: {
  replicas: number;
  entities: number;
  agents: number;
  minutes: number;
  kill: boolean;
  postgresUrl: string;
}) {
  const dir = fs.mkdtempSync(
    path.join(os.tmpdir(), 'safekeep-bench-replicas-'),
  );
  const prefix = `safekeep_bench_${randomBytes(4).toString('hex')}_`;
  const stand = await startStandInAgents(settings.agents, {
    min: 200,
    max: 800,
  });
  const entitiesFile = path.join(dir, 'entities.json');
  fs.writeFileSync(
    entitiesFile,
    JSON.stringify(entitiesOf(settings.entities, settings.agents)),
  );
  const replicas: Replica[] = [];
  const database = `${prefix}backups`;
  try {
    for (let i = 0; i < settings.replicas; i++) {
      const port = await freePort();
      const config = path.join(dir, `replica-${i}.yaml`);
      fs.writeFileSync(
        config,
        JSON.stringify({
          backend: {
            baseUrl: `http://127.0.0.1:${port}`,
            listen: { host: '127.0.0.1', port },
            database: {
              client: 'pg',
              connection: settings.postgresUrl,
              prefix,
            },
          },
          backups: { agents: stand.agents, dispatchIntervalSeconds: 5 },
        }),
      );
      replicas.push(startReplica(config, entitiesFile));
      // The first replica migrates; the others start once it has.
      if (i === 0) await replicas[0].started;
    }
    await Promise.all(replicas.map(r => r.started));
    const allUp = Date.now();
    const firstSlot = Math.ceil(allUp / MINUTE) * MINUTE;
    const lastSlot = firstSlot + (settings.minutes - 1) * MINUTE;
    // Until 40 s after the last counted slot: every slot's run has time to be queued and run.
    const stopAt = lastSlot + 40_000;
    log(
      `${settings.replicas} replicas up; counting slots ${new Date(
        firstSlot,
      ).toISOString()} .. ${new Date(
        lastSlot,
      ).toISOString()}, stopping at ${new Date(stopAt).toISOString()}`,
    );
    let killedAt: number | undefined;
    if (settings.kill) {
      await sleep(Math.max(0, firstSlot + 5_000 - Date.now()));
      killedAt = Date.now();
      log('SIGKILL of the last replica, 5 s after the first counted slot');
      await stopReplica(replicas.at(-1)!, 'SIGKILL');
    }
    await sleep(Math.max(0, stopAt - Date.now()));
    for (const r of replicas) await stopReplica(r, 'SIGTERM');

    const knex = knexFactory({
      client: 'pg',
      connection: `${settings.postgresUrl.replace(/\/[^/]*$/, '')}/${database}`,
    });
    try {
      const runs: Array<{
        entity_ref: string;
        target: string;
        agent: string;
        scheduled_for: Date;
        status: string;
        started_at: Date | null;
        finished_at: Date | null;
        error: string | null;
      }> = await knex('backup_runs')
        .where('trigger', 'schedule')
        .where('scheduled_for', '>=', new Date(firstSlot))
        .where('scheduled_for', '<=', new Date(lastSlot));
      const bySlot = new Map<string, number>();
      for (const r of runs) {
        const key = `${r.entity_ref}@${r.scheduled_for.toISOString()}`;
        bySlot.set(key, (bySlot.get(key) ?? 0) + 1);
      }
      const expected = settings.entities * settings.minutes;
      const succeeded = new Set(
        runs
          .filter(r => r.status === 'succeeded')
          .map(r => `${r.entity_ref}@${r.scheduled_for.toISOString()}`),
      );
      const duplicated = runs.length - bySlot.size;
      // Runs of one target whose [started, finished] overlap, from the database's record.
      const all = await knex('backup_runs')
        .whereNotNull('started_at')
        .select('agent', 'target', 'started_at', 'finished_at');
      const byTarget = new Map<string, Array<[number, number]>>();
      for (const r of all) {
        const list = byTarget.get(`${r.agent}/${r.target}`) ?? [];
        list.push([
          new Date(r.started_at).getTime(),
          r.finished_at ? new Date(r.finished_at).getTime() : Infinity,
        ]);
        byTarget.set(`${r.agent}/${r.target}`, list);
      }
      let recordOverlaps = 0;
      for (const list of byTarget.values()) {
        list.sort((a, b) => a[0] - b[0]);
        for (let i = 1; i < list.length; i++)
          if (list[i][0] < list[i - 1][1]) recordOverlaps++;
      }
      const statuses: Record<string, number> = {};
      for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const errors = [
        ...new Set(runs.filter(r => r.error).map(r => r.error)),
      ].slice(0, 3);
      return {
        replicas: settings.replicas,
        entities: settings.entities,
        agents: settings.agents,
        agent:
          'stand-in (standInAgents.ts: answers like the real agent, 200-800 ms jobs, 409 while a target has a job)',
        slot_minutes: settings.minutes,
        killed_replica: settings.kill
          ? `SIGKILL at +${Math.round((killedAt! - firstSlot) / 1000)} s`
          : null,
        slots_expected: expected,
        slots_run: bySlot.size,
        slots_succeeded: succeeded.size,
        duplicated,
        missed: expected - bySlot.size,
        overlap: stand.overlaps + recordOverlaps,
        overlap_at_agent: stand.overlaps,
        overlap_in_records: recordOverlaps,
        agent_backup_starts: stand.starts.length,
        agent_refused_409: stand.refused,
        run_statuses: statuses,
        errors,
      };
    } finally {
      await knex.destroy();
    }
  } catch (error) {
    for (const r of replicas) log(`replica log tail:\n${r.log().slice(-2000)}`);
    throw error;
  } finally {
    for (const r of replicas) await stopReplica(r, 'SIGKILL');
    await stand.close();
    const admin = knexFactory({
      client: 'pg',
      connection: settings.postgresUrl,
    });
    await admin
      .raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
      .catch(e => log(`could not drop ${database}: ${e.message}`));
    await admin.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function main() {
  const counts = option('replicas', '2,3').split(',').map(Number);
  const settings = {
    entities: Number(option('entities', '1000')),
    agents: Number(option('agents', '10')),
    minutes: Number(option('minutes', '3')),
    kill: process.argv.includes('--kill'),
    postgresUrl:
      process.env.SAFEKEEP_BENCH_POSTGRES_URL ??
      'postgresql://postgres@127.0.0.1:5432/postgres',
  };
  const results = [];
  for (const replicas of counts) {
    log(
      `${replicas} replicas, ${settings.entities} entities on ${settings.agents} agents, ${settings.minutes} slots of every 1m`,
    );
    const result = await runOnce({ ...settings, replicas });
    log(JSON.stringify(result));
    results.push(result);
  }
  const sum = (
    key: 'slots_expected' | 'slots_run' | 'duplicated' | 'missed' | 'overlap',
  ) => results.reduce((total, r) => total + r[key], 0);
  console.log(
    JSON.stringify({
      runs: results,
      slots_expected: sum('slots_expected'),
      slots_run: sum('slots_run'),
      duplicated: sum('duplicated'),
      missed: sum('missed'),
      overlap: sum('overlap'),
    }),
  );
}
