import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { migrateBackupsDatabase } from '../../plugins/backups-backend/src/database/migrateBackupsDatabase';
import {
  BenchCatalog,
  benchEntities,
  entityName,
  TEAM_SIZE,
  teamOf,
} from './benchCatalog';
import { seedRuns } from './seedRuns';
import { startPluginApi } from './startPluginApi';

const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 10_000);
const SMALL = Number(process.env.BENCH_SMALL_ENTITIES ?? 100);
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const SUMMARY_REQUESTS = Number(process.env.BENCH_SUMMARY_REQUESTS ?? 400);
const OVERVIEW_REQUESTS = Number(process.env.BENCH_OVERVIEW_REQUESTS ?? 100);
const PG_URL =
  process.env.SAFEKEEP_BENCH_POSTGRES_URL ??
  process.env.SAFEKEEP_TEST_POSTGRES_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const PG_DATABASE = 'safekeep_bench_api';
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres')
  .split(',')
  .map(d => d.trim());

const log = (text: string) => process.stderr.write(`${text}\n`);

/** A deterministic pseudo-random sequence, so runs of the benchmark ask for the same entities. */
function sequence(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % below;
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

const round = (ms: number) => Math.round(ms * 100) / 100;

interface Timing {
  requests: number;
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

/** Requests before measuring, so that the first scale measured does not pay for a cold JIT. */
const WARM_UP = Number(process.env.BENCH_WARM_UP ?? 50);

/** Sequential requests over keep-alive HTTP: the latency one user sees. */
async function measure(
  count: number,
  url: (i: number) => string,
): Promise<Timing> {
  for (let i = 0; i < WARM_UP; i++)
    await (await fetch(url(i + 1_000_000))).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const response = await fetch(url(i));
    const body = await response.arrayBuffer();
    times.push(performance.now() - start);
    if (!response.ok)
      throw new Error(
        `${url(i)} answered ${response.status}: ${Buffer.from(body)
          .toString()
          .slice(0, 300)}`,
      );
  }
  return {
    requests: count,
    p50_ms: round(percentile(times, 50)),
    p95_ms: round(percentile(times, 95)),
    max_ms: round(Math.max(...times)),
  };
}

interface ScaleResult {
  entities: number;
  runs: number;
  seed_seconds: number;
  summary: Timing;
  overview: Timing;
  sizes_365d: Timing;
}

async function benchScale(knex: Knex, entities: number): Promise<ScaleResult> {
  await migrateBackupsDatabase(knex);
  const base = Date.UTC(
    new Date().getUTCFullYear(),
    new Date().getUTCMonth(),
    new Date().getUTCDate(),
  );
  const started = performance.now();
  await seedRuns(knex, { entities, days: DAYS, base, log });
  const seedSeconds = (performance.now() - started) / 1000;
  const runs = Number((await knex('backup_runs').count({ n: '*' }).first())?.n);
  log(`  seeded ${runs} runs in ${seedSeconds.toFixed(1)} s`);
  const api = await startPluginApi(
    knex,
    new BenchCatalog(benchEntities(entities)),
  );
  try {
    const teams = Math.ceil(entities / TEAM_SIZE);
    const pick = sequence(42);
    const summary = await measure(
      SUMMARY_REQUESTS,
      () =>
        `${api.url}/entities/resource/default/${entityName(
          pick(entities),
        )}/summary`,
    );
    log(`  summary: ${JSON.stringify(summary)}`);
    const overview = await measure(
      OVERVIEW_REQUESTS,
      () =>
        `${api.url}/overview?owner=${encodeURIComponent(
          teamOf(pick(teams) * TEAM_SIZE),
        )}`,
    );
    log(`  overview: ${JSON.stringify(overview)}`);
    const sizes = await measure(
      SUMMARY_REQUESTS / 4,
      () =>
        `${api.url}/entities/resource/default/${entityName(
          pick(entities),
        )}/sizes?days=365`,
    );
    log(`  sizes (365 days): ${JSON.stringify(sizes)}`);
    return {
      entities,
      runs,
      seed_seconds: Math.round(seedSeconds),
      summary,
      overview,
      sizes_365d: sizes,
    };
  } finally {
    await api.close();
  }
}

async function sqliteDatabase(dir: string, name: string): Promise<Knex> {
  return knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, `${name}.sqlite`) },
    useNullAsDefault: true,
  });
}

async function postgresDatabase(): Promise<Knex | undefined> {
  const admin = knexFactory({ client: 'pg', connection: PG_URL });
  try {
    await admin.raw('select 1');
    await admin.raw(`DROP DATABASE IF EXISTS ${PG_DATABASE}`);
    await admin.raw(`CREATE DATABASE ${PG_DATABASE}`);
  } catch (error) {
    log(
      `PostgreSQL: not run: cannot reach ${PG_URL.replace(
        /\/\/[^@]*@/,
        '//***@',
      )} (${(error as Error).message}); set SAFEKEEP_BENCH_POSTGRES_URL`,
    );
    return undefined;
  } finally {
    await admin.destroy();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${PG_DATABASE}`;
  return knexFactory({
    client: 'pg',
    connection: url.toString(),
    pool: { min: 1, max: 4 },
  });
}

async function dropPostgres(): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: PG_URL });
  await admin
    .raw(`DROP DATABASE IF EXISTS ${PG_DATABASE}`)
    .finally(() => admin.destroy());
}

export async function main(): Promise<void> {
  log(
    `bench:api: ${ENTITIES} and ${SMALL} entities, ${DAYS} daily runs each, teams of ${TEAM_SIZE}; node ${
      process.version
    }, ${os.cpus().length} cores`,
  );
  const results: Record<string, { small: ScaleResult; large: ScaleResult }> =
    {};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-bench-api-'));
  try {
    for (const database of ['sqlite', 'postgres'] as const) {
      if (!DATABASES.includes(database)) continue;
      const scales: ScaleResult[] = [];
      for (const entities of [SMALL, ENTITIES]) {
        log(`${database}, ${entities} entities:`);
        const knex =
          database === 'sqlite'
            ? await sqliteDatabase(dir, `bench-${entities}`)
            : await postgresDatabase();
        if (!knex) break;
        try {
          scales.push(await benchScale(knex, entities));
        } finally {
          await knex.destroy();
          if (database === 'postgres') await dropPostgres();
          else
            fs.rmSync(path.join(dir, `bench-${entities}.sqlite`), {
              force: true,
            });
        }
      }
      if (scales.length === 2)
        results[database] = { small: scales[0], large: scales[1] };
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const summaryLine: Record<string, unknown> = {
    entities: ENTITIES,
    small_entities: SMALL,
    days: DAYS,
    team_size: TEAM_SIZE,
  };
  const growth: Record<string, { summary: number; overview: number }> = {};
  for (const [database, { small, large }] of Object.entries(results)) {
    summaryLine[database] = {
      summary_p95_ms: large.summary.p95_ms,
      overview_p95_ms: large.overview.p95_ms,
      summary_p50_ms: large.summary.p50_ms,
      overview_p50_ms: large.overview.p50_ms,
      sizes_365d_p95_ms: large.sizes_365d.p95_ms,
      runs: large.runs,
      seed_seconds: large.seed_seconds,
      at_small: {
        summary_p95_ms: small.summary.p95_ms,
        overview_p95_ms: small.overview.p95_ms,
        summary_p50_ms: small.summary.p50_ms,
        overview_p50_ms: small.overview.p50_ms,
      },
    };
    growth[database] = {
      summary: round(large.summary.p95_ms / small.summary.p95_ms),
      overview: round(large.overview.p95_ms / small.overview.p95_ms),
    };
  }
  summaryLine.growth_ratio = growth;
  // Other work on the machine shows in the tail latencies: the 1-minute load average at the end.
  summaryLine.load_average = Math.round(os.loadavg()[0] * 100) / 100;
  summaryLine.cores = os.cpus().length;
  process.stdout.write(`${JSON.stringify(summaryLine)}\n`);
}
