import type { Knex } from 'knex';
import type { SizePoint } from '@safekeep/plugin-backups-common';
import type { EntityRunFacts } from '../runs/BackupsStore';
import { RUNS_TABLE, RunRow, rowToRun, toDate } from '../runs/runRows';
import { textListTable, utcDayExpression } from '../database/sqlDialect';
import { PRUNES_TABLE } from '../retention/DatabasePrunesStore';
import {
  KeptRunSizes,
  RemovedSnapshot,
  storageUsedBytes,
} from '../sizes/storageUsed';

const FINISHED = ['succeeded', 'failed', 'partially_failed', 'interrupted'];
const ACTIVE = ['queued', 'running'];
/** Entities per query: one bound list, plus the rows they select. */
const CHUNK = 500;

export interface OutcomeCounts {
  succeeded: number;
  /** failed, partially failed or interrupted. */
  failed: number;
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size)
    result.push(items.slice(i, i + size));
  return result;
}

const number = (value: unknown) => Number(value ?? 0);

/** A row of finishedOutcomes: the drivers return counts as numbers or strings. */
interface OutcomeRow {
  succeeded: unknown;
  total: unknown;
}

/**
 * Read-only aggregate queries over backup_runs for many entities at once (team overview, targets
 * list, the incident check). Every query is one statement per 500 entities, never one per
 * entity: the latest run of each entity is a correlated subquery that the
 * (entity_ref, status, finished_at) index answers with one probe; windows use
 * (entity_ref, finished_at).
 */
export class RunAggregates {
  constructor(private readonly db: Knex) {}

  /** The facts each entity's summary needs (without recent durations), by entity ref. */
  async getRunFacts(
    entityRefs: string[],
  ): Promise<Map<string, EntityRunFacts>> {
    const facts = new Map<string, EntityRunFacts>(
      entityRefs.map(ref => [ref, {}]),
    );
    for (const refs of chunks([...new Set(entityRefs)])) {
      const finishedList = FINISHED.map(s => `'${s}'`).join(', ');
      const latest: Array<{
        ref: string;
        last_success_id: string | null;
        last_finished_id: string | null;
        latest_slot: unknown;
      }> = await this.db
        .select(
          'e.ref',
          this.db.raw(
            `(select r.id from ${RUNS_TABLE} r where r.entity_ref = e.ref and r.status = 'succeeded' order by r.finished_at desc limit 1) as last_success_id`,
          ),
          this.db.raw(
            `(select r.id from ${RUNS_TABLE} r where r.entity_ref = e.ref and r.finished_at is not null and r.status in (${finishedList}) order by r.finished_at desc limit 1) as last_finished_id`,
          ),
          this.db.raw(
            `(select max(r.scheduled_for) from ${RUNS_TABLE} r where r.entity_ref = e.ref) as latest_slot`,
          ),
        )
        .from(textListTable(this.db, refs, 'e'));
      const ids = latest
        .flatMap(row => [row.last_success_id, row.last_finished_id])
        .filter((id): id is string => !!id);
      const [runRows, activeRows] = await Promise.all([
        ids.length
          ? this.db<RunRow>(RUNS_TABLE).whereIn('id', [...new Set(ids)])
          : Promise.resolve([] as RunRow[]),
        this.db<RunRow>(RUNS_TABLE)
          .whereIn('entity_ref', refs)
          .whereIn('status', ACTIVE)
          .orderBy('created_at', 'asc'),
      ]);
      const byId = new Map(runRows.map(row => [row.id, rowToRun(row)]));
      for (const row of latest) {
        const entry = facts.get(row.ref) ?? {};
        entry.lastSuccess = row.last_success_id
          ? byId.get(row.last_success_id)
          : undefined;
        entry.lastFinished = row.last_finished_id
          ? byId.get(row.last_finished_id)
          : undefined;
        entry.latestScheduledSlot =
          row.latest_slot === null || row.latest_slot === undefined
            ? undefined
            : toDate(row.latest_slot as Date);
        facts.set(row.ref, entry);
      }
      for (const row of activeRows) {
        const entry = facts.get(row.entity_ref)!;
        // A running run first (it is the one that blocks), else the oldest queued one.
        if (
          !entry.active ||
          (entry.active.status !== 'running' && row.status === 'running')
        ) {
          entry.active = rowToRun(row);
        }
      }
    }
    return facts;
  }

  /** Finished runs of `refs` since `since`: how many, and how many succeeded (group it by what counts). */
  private finishedOutcomes(refs: string[], since: Date) {
    return this.db(RUNS_TABLE)
      .select(
        this.db.raw(
          `sum(case when status = 'succeeded' then 1 else 0 end) as succeeded`,
        ),
      )
      .select(this.db.raw('count(*) as total'))
      .whereIn('entity_ref', refs)
      .where('finished_at', '>=', since)
      .whereIn('status', FINISHED);
  }

  /** Finished runs per entity since `since`, split into succeeded and not. */
  async getOutcomeCounts(
    entityRefs: string[],
    since: Date,
  ): Promise<Map<string, OutcomeCounts>> {
    const counts = new Map<string, OutcomeCounts>();
    for (const refs of chunks([...new Set(entityRefs)])) {
      const rows: Array<OutcomeRow & { entity_ref: string }> =
        await this.finishedOutcomes(refs, since)
          .select('entity_ref')
          .groupBy('entity_ref');
      for (const row of rows) {
        counts.set(row.entity_ref, {
          succeeded: number(row.succeeded),
          failed: number(row.total) - number(row.succeeded),
        });
      }
    }
    return counts;
  }

  /** Finished runs of all the entities together per UTC day since `since` (days without runs are absent). */
  async getDailyOutcomes(
    entityRefs: string[],
    since: Date,
  ): Promise<Map<string, OutcomeCounts>> {
    const days = new Map<string, OutcomeCounts>();
    for (const refs of chunks([...new Set(entityRefs)])) {
      const day = utcDayExpression(this.db, 'finished_at');
      const rows: Array<OutcomeRow & { day: string }> =
        await this.finishedOutcomes(refs, since)
          .select(this.db.raw(`${day.toQuery()} as day`))
          .groupByRaw(day.toQuery());
      for (const row of rows) {
        const entry = days.get(row.day) ?? { succeeded: 0, failed: 0 };
        entry.succeeded += number(row.succeeded);
        entry.failed += number(row.total) - number(row.succeeded);
        days.set(row.day, entry);
      }
    }
    return days;
  }

  /** Stored bytes of each entity's latest successful run at or before `at` (entities without one are absent). */
  async getBytesAsOf(
    entityRefs: string[],
    at: Date,
  ): Promise<Map<string, number>> {
    const bytes = new Map<string, number>();
    for (const refs of chunks([...new Set(entityRefs)])) {
      const rows: Array<{ ref: string; bytes: unknown }> = await this.db
        .select(
          'e.ref',
          this.db.raw(
            `(select r.bytes_stored from ${RUNS_TABLE} r where r.entity_ref = e.ref and r.status = 'succeeded' and r.finished_at <= ? order by r.finished_at desc limit 1) as bytes`,
            [at],
          ),
        )
        .from(textListTable(this.db, refs, 'e'));
      for (const row of rows) {
        if (row.bytes !== null && row.bytes !== undefined)
          bytes.set(row.ref, Number(row.bytes));
      }
    }
    return bytes;
  }

  /** Successful runs' sizes of one entity since `since`, oldest first. */
  async getSizePoints(entityRef: string, since: Date): Promise<SizePoint[]> {
    const rows: Array<{
      finished_at: Date | number | string;
      bytes_stored: unknown;
      bytes_raw: unknown;
      bytes_new: unknown;
    }> = await this.db(RUNS_TABLE)
      .select('finished_at', 'bytes_stored', 'bytes_raw', 'bytes_new')
      .where({ entity_ref: entityRef, status: 'succeeded' })
      .where('finished_at', '>=', since)
      .orderBy('finished_at', 'asc');
    return rows.map(row => ({
      at: toDate(row.finished_at).toISOString(),
      bytesStored: number(row.bytes_stored),
      bytesRaw: number(row.bytes_raw),
      bytesNew:
        row.bytes_new === null || row.bytes_new === undefined
          ? null
          : number(row.bytes_new),
    }));
  }

  /**
   * Storage each entity's kept snapshots take (sizes/storageUsed.ts), from its successful
   * runs and the snapshots its succeeded prunes removed; entities without a run are absent.
   */
  async getStorageUsed(entityRefs: string[]): Promise<Map<string, number>> {
    const used = new Map<string, number>();
    for (const refs of chunks([...new Set(entityRefs)])) {
      const runs: Array<{
        entity_ref: string;
        snapshot_id: string;
        finished_at: Date | number | string;
        bytes_stored: unknown;
        bytes_new: unknown;
        tiers: string | null;
      }> = await this.db(RUNS_TABLE)
        .select(
          'entity_ref',
          'snapshot_id',
          'finished_at',
          'bytes_stored',
          'bytes_new',
          'tiers',
        )
        .whereIn('entity_ref', refs)
        // A partial failure stored its primary snapshot too (a later tier failed).
        .whereIn('status', ['succeeded', 'partially_failed'])
        .whereNotNull('snapshot_id')
        .whereNotNull('bytes_stored');
      const prunes: Array<{
        entity_ref: string;
        tier: string;
        pruned: string | null;
      }> = await this.db(PRUNES_TABLE)
        .select('entity_ref', 'tier', 'pruned')
        .whereIn('entity_ref', refs)
        .where({ status: 'succeeded' });
      const runsOf = new Map<string, KeptRunSizes[]>();
      for (const row of runs) {
        const list = runsOf.get(row.entity_ref) ?? [];
        list.push({
          snapshotId: row.snapshot_id,
          tier: primaryTierOf(row.tiers),
          finishedAt: toDate(row.finished_at).getTime(),
          bytesStored: number(row.bytes_stored),
          bytesNew:
            row.bytes_new === null || row.bytes_new === undefined
              ? null
              : number(row.bytes_new),
        });
        runsOf.set(row.entity_ref, list);
      }
      const removedOf = new Map<string, RemovedSnapshot[]>();
      for (const row of prunes) {
        const list = removedOf.get(row.entity_ref) ?? [];
        for (const snapshotId of prunedIds(row.pruned))
          list.push({ tier: row.tier, snapshotId });
        removedOf.set(row.entity_ref, list);
      }
      for (const [ref, list] of runsOf) {
        const bytes = storageUsedBytes(list, removedOf.get(ref) ?? []);
        if (bytes !== null) used.set(ref, bytes);
      }
    }
    return used;
  }
}

/** The primary tier of a run's `tiers` JSON (AgentSnapshot[], primary first), if readable. */
function primaryTierOf(tiers: string | null): string | null {
  if (!tiers) return null;
  try {
    const parsed = JSON.parse(tiers) as Array<{ tier?: unknown }>;
    return typeof parsed[0]?.tier === 'string' ? parsed[0].tier : null;
  } catch {
    return null;
  }
}

/** The snapshot ids of a prune's `pruned` JSON; none when unreadable. */
function prunedIds(pruned: string | null): string[] {
  if (!pruned) return [];
  try {
    const parsed = JSON.parse(pruned) as unknown;
    return Array.isArray(parsed)
      ? parsed.filter((id): id is string => typeof id === 'string')
      : [];
  } catch {
    return [];
  }
}
