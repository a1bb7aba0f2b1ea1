// Seeds a year of daily backup runs for one entity into the backups plugin's SQLite file, BEFORE
// the backend starts. The plugin's own migrations create the schema (and record themselves, so the
// backend finds nothing to do), and rows are inserted through knex exactly as the backend writes
// them (knex binds a Date as epoch milliseconds on SQLite).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import knexFactory from 'knex';

const DAY_MS = 86_400_000;
const MiB = 1024 ** 2;

function snapshotId(date, target) {
  return `${date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${target}`;
}

/** Which days fail, and how: a few failures a month, like a real service with a flaky host. */
function outcomeOfDay(daysAgo) {
  if (daysAgo > 1 && daysAgo % 23 === 7) {
    return {
      status: 'failed',
      error: 'sqlite backup: database is locked (SQLITE_BUSY) after 30 s',
    };
  }
  if (daysAgo > 1 && daysAgo % 61 === 11) {
    return { status: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:7400' };
  }
  return { status: 'succeeded', error: null };
}

/**
 * Inserts `days` daily scheduled runs of `entityRef`, the newest finished an hour before `now`.
 * Returns how many succeeded and failed.
 */
export async function seedYearOfRuns(options) {
  const {
    databaseFile,
    migrationsDir,
    entityRef,
    agent,
    target,
    days = 365,
    now = new Date(),
  } = options;
  mkdirSync(dirname(databaseFile), { recursive: true });
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: databaseFile },
    useNullAsDefault: true,
  });
  try {
    await knex.migrate.latest({ directory: migrationsDir });
    const rows = [];
    let succeeded = 0;
    for (let daysAgo = days - 1; daysAgo >= 0; daysAgo--) {
      const finishedAt = new Date(now.getTime() - daysAgo * DAY_MS - 3_600_000);
      const durationMs = 40_000 + ((daysAgo * 7919) % 50_000);
      const startedAt = new Date(finishedAt.getTime() - durationMs);
      const scheduledFor = new Date(startedAt.getTime() - 2_000);
      const { status, error } = outcomeOfDay(daysAgo);
      const ok = status === 'succeeded';
      if (ok) succeeded++;
      // About 1.2 MiB more every day, with a weekly wobble, from 600 MiB a year ago.
      const stored = Math.round(
        (600 + 1.2 * (days - daysAgo) + 4 * Math.sin(daysAgo / 1.1)) * MiB,
      );
      const id = snapshotId(startedAt, target);
      rows.push({
        id: randomUUID(),
        entity_ref: entityRef,
        agent,
        target,
        status,
        phase: ok ? 'done' : 'failed',
        trigger: 'schedule',
        triggered_by: null,
        scheduled_for: scheduledFor,
        created_at: scheduledFor,
        started_at: startedAt,
        finished_at: finishedAt,
        duration_ms: durationMs,
        bytes_raw: ok ? Math.round(stored * 3.1) : null,
        bytes_stored: ok ? stored : null,
        sha256: ok ? randomBytes(32).toString('hex') : null,
        snapshot_id: ok ? id : null,
        location: ok ? `file:///var/backups/e2e-year-db/${id}` : null,
        downtime_ms: ok ? 0 : null,
        error,
        updated_at: finishedAt,
      });
    }
    await knex.batchInsert('backup_runs', rows, 50);
    return { runs: rows.length, succeeded, failed: rows.length - succeeded };
  } finally {
    await knex.destroy();
  }
}
