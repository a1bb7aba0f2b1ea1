import { randomUUID } from 'node:crypto';
import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type { StoredRun } from '../runs/BackupsStore';
import { markRunClaimed, runningRunOfTarget } from '../runs/claimRunRow';
import { pageOfRuns } from '../runs/pageOfRuns';
import { RUNS_TABLE, RunRow, rowToRun } from '../runs/runRows';

export interface GroupMemberTarget {
  entityRef: string;
  agent: string;
  target: string;
}

export type CreateGroupRunResult =
  | { groupRunId: string; created: StoredRun[] }
  /** Members whose target already has a queued or running run. */
  | { conflicts: StoredRun[] };

/** Runs of consistency groups: member runs queued together under one group_run_id. */
export class GroupRunsStore {
  constructor(private readonly db: Knex) {}

  /**
   * Queues one user run per member, all or none: nothing is queued while any member's target
   * has a queued or running run (so a group backup never overlaps its members' own runs).
   */
  async createGroupRuns(input: {
    groupRef: string;
    members: GroupMemberTarget[];
    triggeredBy: string | null;
    now: Date;
  }): Promise<CreateGroupRunResult> {
    const activeOfMembers = (db: Knex) =>
      db<RunRow>(RUNS_TABLE)
        .where(builder => {
          for (const m of input.members)
            builder.orWhere({ agent: m.agent, target: m.target });
        })
        .whereIn('status', ['queued', 'running'])
        .orderBy('created_at', 'asc');
    try {
      return await this.db.transaction(async tx => {
        const active = await activeOfMembers(tx);
        if (active.length > 0) return { conflicts: active.map(rowToRun) };
        const groupRunId = randomUUID();
        const rows = input.members.map(m => ({
          id: randomUUID(),
          entity_ref: m.entityRef,
          agent: m.agent,
          target: m.target,
          status: 'queued',
          phase: `queued with consistency group ${input.groupRef}`,
          trigger: 'user',
          triggered_by: input.triggeredBy,
          scheduled_for: null,
          created_at: input.now,
          updated_at: input.now,
          group_run_id: groupRunId,
          group_ref: input.groupRef,
        }));
        await tx(RUNS_TABLE).insert(rows);
        const stored = await tx<RunRow>(RUNS_TABLE).where({
          group_run_id: groupRunId,
        });
        const byId = new Map(stored.map(r => [r.id, rowToRun(r)]));
        return { groupRunId, created: rows.map(r => byId.get(r.id)!) };
      });
    } catch (error) {
      // A member's target got a run from another replica after the check: the partial unique
      // index over queued and running runs refused the whole insert.
      if (!isDatabaseConflictError(error)) throw error;
      const active = await activeOfMembers(this.db);
      if (active.length > 0) return { conflicts: active.map(rowToRun) };
      throw error;
    }
  }

  /** The member runs of one group run. */
  async listRunsOfGroup(groupRunId: string): Promise<StoredRun[]> {
    const rows = await this.db<RunRow>(RUNS_TABLE)
      .where({ group_run_id: groupRunId })
      .orderBy('entity_ref');
    return rows.map(rowToRun);
  }

  /**
   * Moves every given queued run to running at once, for one agent job that backs them all up;
   * nothing changes unless all are still queued and none of their targets is running.
   */
  async claimGroupRuns(
    ids: string[],
    now: Date,
  ): Promise<StoredRun[] | undefined> {
    try {
      return await this.db.transaction(async tx => {
        const runs = await tx<RunRow>(RUNS_TABLE).whereIn('id', ids);
        if (runs.length !== ids.length || runs.some(r => r.status !== 'queued'))
          return undefined;
        for (const run of runs) {
          if (await runningRunOfTarget(tx, run)) return undefined;
          await markRunClaimed(tx, run, now);
        }
        const claimed = await tx<RunRow>(RUNS_TABLE)
          .whereIn('id', ids)
          .orderBy('entity_ref');
        return claimed.map(rowToRun);
      });
    } catch (error) {
      // A run of one of the targets was claimed by another worker at the same moment.
      if (isDatabaseConflictError(error)) return undefined;
      throw error;
    }
  }

  /** Runs started for the System's consistency group, newest first. */
  async listGroupRuns(
    groupRef: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: StoredRun[]; total: number }> {
    return pageOfRuns(
      this.db,
      { group_ref: groupRef },
      { column: 'entity_ref', order: 'asc' },
      page,
    );
  }
}
