import type { Knex } from 'knex';
import { RunRow, RUNS_TABLE, runningTargetKey } from './runRows';

/** Inside a claim's transaction: the run of the same agent and target running now, if any. */
export function runningRunOfTarget(
  tx: Knex.Transaction,
  run: Pick<RunRow, 'agent' | 'target'>,
): Promise<RunRow | undefined> {
  return tx<RunRow>(RUNS_TABLE)
    .where({ agent: run.agent, target: run.target, status: 'running' })
    .first();
}

/**
 * Inside a claim's transaction: a queued run becomes running and holds its target
 * (running_target, whose unique index refuses a second claim). 0 when it was not queued.
 */
export function markRunClaimed(
  tx: Knex.Transaction,
  run: Pick<RunRow, 'id' | 'agent' | 'target'>,
  now: Date,
): Promise<number> {
  return tx(RUNS_TABLE)
    .where({ id: run.id, status: 'queued' })
    .update({
      status: 'running',
      phase: 'starting',
      started_at: now,
      updated_at: now,
      running_target: runningTargetKey(run.agent, run.target),
    });
}
