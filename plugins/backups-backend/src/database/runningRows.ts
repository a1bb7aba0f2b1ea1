import type { Knex } from 'knex';

/**
 * Updates the row of a running job (a backup run, a restore request) only while it is still
 * running: a row another worker finished meanwhile stays as it is. Returns the rows changed.
 */
export function updateRunning(
  db: Knex,
  table: string,
  id: string,
  columns: Record<string, unknown>,
): Promise<number> {
  return db(table).where({ id, status: 'running' }).update(columns);
}

/** The columns that say the agent answered about a running job: its phase now (redacted), and when. */
export function agentHeard(
  phase: string | null,
  now: Date,
): { phase: string | null; agent_seen_at: Date; updated_at: Date } {
  return { phase, agent_seen_at: now, updated_at: now };
}
