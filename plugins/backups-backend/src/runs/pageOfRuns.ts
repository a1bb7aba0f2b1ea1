import type { Knex } from 'knex';
import type { StoredRun } from './BackupsStore';
import { rowToRun, RunRow, RUNS_TABLE } from './runRows';

/**
 * One page of the runs matching `where`, newest first (`tieBreak` orders runs created in the
 * same instant), with how many match in all: an entity's history and a group's.
 */
export async function pageOfRuns(
  db: Knex,
  where: Partial<RunRow>,
  tieBreak: { column: keyof RunRow & string; order: 'asc' | 'desc' },
  page: { limit: number; offset: number },
): Promise<{ items: StoredRun[]; total: number }> {
  const [rows, count] = await Promise.all([
    db<RunRow>(RUNS_TABLE)
      .where(where)
      .orderBy([{ column: 'created_at', order: 'desc' }, tieBreak])
      .limit(page.limit)
      .offset(page.offset),
    db(RUNS_TABLE).where(where).count({ total: '*' }).first(),
  ]);
  return { items: rows.map(rowToRun), total: Number(count?.total ?? 0) };
}
