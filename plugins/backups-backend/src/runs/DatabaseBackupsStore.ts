import { randomUUID } from 'node:crypto';
import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { redactNullable } from '../redaction/redactSecrets';
import { RECENT_DURATIONS } from './BackupsStore';
import { agentHeard, updateRunning } from '../database/runningRows';
import { markRunClaimed, runningRunOfTarget } from './claimRunRow';
import { pageOfRuns } from './pageOfRuns';
import type {
  BackupsStore,
  ClaimResult,
  CreateUserRunResult,
  EntityRunFacts,
  NewScheduledRun,
  NewUserRun,
  RunOutcome,
  StoredRun,
} from './BackupsStore';
import { RUNS_TABLE, RunRow, rowToRun, toDate } from './runRows';

const ACTIVE: string[] = ['queued', 'running'];
const FINISHED: string[] = [
  'succeeded',
  'failed',
  'partially_failed',
  'interrupted',
];

/** BackupsStore on the plugin's database (PostgreSQL, SQLite or MySQL through knex). */
export class DatabaseBackupsStore implements BackupsStore {
  constructor(
    private readonly db: Knex,
    private readonly secrets: string[] = [],
  ) {}

  private redact(text: string | null | undefined): string | null {
    return redactNullable(text, this.secrets);
  }

  private newRow(input: {
    entityRef: string;
    agent: string;
    target: string;
    trigger: 'user' | 'schedule';
    triggeredBy: string | null;
    scheduledFor: Date | null;
    now: Date;
  }): Partial<RunRow> {
    return {
      id: randomUUID(),
      entity_ref: input.entityRef,
      agent: input.agent,
      target: input.target,
      status: 'queued',
      phase: null,
      trigger: input.trigger,
      triggered_by: input.triggeredBy,
      scheduled_for: input.scheduledFor,
      created_at: input.now,
      updated_at: input.now,
    };
  }

  async createUserRun(input: NewUserRun): Promise<CreateUserRunResult> {
    const row = this.newRow({
      ...input,
      trigger: 'user',
      scheduledFor: null,
    });
    try {
      return await this.db.transaction(async tx => {
        const active = await this.activeRunOf(tx, input);
        if (active) return { conflict: active };
        await tx(RUNS_TABLE).insert(row);
        const created = await tx<RunRow>(RUNS_TABLE)
          .where({ id: row.id })
          .first();
        return { created: rowToRun(created!) };
      });
    } catch (error) {
      // Another replica queued one between our check and insert: the partial unique index
      // over queued and running runs refused ours.
      if (!isDatabaseConflictError(error)) throw error;
      const active = await this.activeRunOf(this.db, input);
      if (active) return { conflict: active };
      throw error;
    }
  }

  private async activeRunOf(
    db: Knex,
    target: { agent: string; target: string },
  ): Promise<StoredRun | undefined> {
    const active = await db<RunRow>(RUNS_TABLE)
      .where({ agent: target.agent, target: target.target })
      .whereIn('status', ACTIVE)
      .orderBy('created_at', 'asc')
      .first();
    return active ? rowToRun(active) : undefined;
  }

  async createScheduledRun(
    input: NewScheduledRun,
  ): Promise<StoredRun | undefined> {
    const row = {
      ...this.newRow({
        ...input,
        trigger: 'schedule',
        triggeredBy: null,
      }),
      ...(input.catchUp ? { catch_up: JSON.stringify(input.catchUp) } : {}),
    };
    // Unique indexes settle races between replicas: (entity_ref, scheduled_for) for the slot,
    // (agent, target) over queued and running runs for the target. Either makes this a no-op.
    await this.db(RUNS_TABLE).insert(row).onConflict().ignore();
    const stored = await this.db<RunRow>(RUNS_TABLE)
      .where({ id: row.id })
      .first();
    return stored ? rowToRun(stored) : undefined;
  }

  async getLatestScheduledSlot(entityRef: string): Promise<Date | undefined> {
    const result = await this.db(RUNS_TABLE)
      .where({ entity_ref: entityRef })
      .whereNotNull('scheduled_for')
      .max({ latest: 'scheduled_for' })
      .first();
    return result?.latest === null || result?.latest === undefined
      ? undefined
      : toDate(result.latest);
  }

  async hasRunForSlot(entityRef: string, slot: Date): Promise<boolean> {
    const row = await this.db(RUNS_TABLE)
      .where({ entity_ref: entityRef, scheduled_for: slot })
      .first('id');
    return Boolean(row);
  }

  async findActiveRun(
    agent: string,
    target: string,
  ): Promise<StoredRun | undefined> {
    const row = await this.db<RunRow>(RUNS_TABLE)
      .where({ agent, target })
      .whereIn('status', ACTIVE)
      // A running run first: it is the one that blocks.
      .orderByRaw("case when status = 'running' then 0 else 1 end")
      .orderBy('created_at', 'asc')
      .first();
    return row ? rowToRun(row) : undefined;
  }

  async getRun(id: string): Promise<StoredRun | undefined> {
    const row = await this.db<RunRow>(RUNS_TABLE).where({ id }).first();
    return row ? rowToRun(row) : undefined;
  }

  async listRuns(entityRef: string, page: { limit: number; offset: number }) {
    return pageOfRuns(
      this.db,
      { entity_ref: entityRef },
      { column: 'id', order: 'desc' },
      page,
    );
  }

  async listRunsInStatus(status: 'queued' | 'running'): Promise<StoredRun[]> {
    const rows = await this.db<RunRow>(RUNS_TABLE)
      .where({ status })
      .orderBy('created_at', 'asc');
    return rows.map(rowToRun);
  }

  async getEntityRunFacts(entityRef: string): Promise<EntityRunFacts> {
    const byEntity = () =>
      this.db<RunRow>(RUNS_TABLE).where({ entity_ref: entityRef });
    const [lastFinished, lastSuccess, active, latestScheduledSlot, recent] =
      await Promise.all([
        byEntity()
          .whereIn('status', FINISHED)
          .orderBy('finished_at', 'desc')
          .first(),
        byEntity()
          .where({ status: 'succeeded' })
          .orderBy('finished_at', 'desc')
          .first(),
        byEntity()
          .whereIn('status', ACTIVE)
          .orderByRaw("case when status = 'running' then 0 else 1 end")
          .orderBy('created_at', 'asc')
          .first(),
        this.getLatestScheduledSlot(entityRef),
        byEntity()
          .where({ status: 'succeeded' })
          .whereNotNull('duration_ms')
          .orderBy('finished_at', 'desc')
          .limit(RECENT_DURATIONS)
          .pluck('duration_ms'),
      ]);
    return {
      lastFinished: lastFinished ? rowToRun(lastFinished) : undefined,
      lastSuccess: lastSuccess ? rowToRun(lastSuccess) : undefined,
      active: active ? rowToRun(active) : undefined,
      latestScheduledSlot,
      recentDurationsMs: recent.map(Number),
    };
  }

  async claimQueuedRun(id: string, now: Date): Promise<ClaimResult> {
    let target: { agent: string; target: string } | undefined;
    try {
      return await this.db.transaction(async tx => {
        const run = await tx<RunRow>(RUNS_TABLE).where({ id }).first();
        if (!run || run.status !== 'queued') return { gone: true as const };
        target = { agent: run.agent, target: run.target };
        const running = await runningRunOfTarget(tx, run);
        if (running) return { busy: rowToRun(running) };
        const updated = await markRunClaimed(tx, run, now);
        if (updated === 0) return { gone: true as const };
        const claimed = await tx<RunRow>(RUNS_TABLE).where({ id }).first();
        return { claimed: rowToRun(claimed!) };
      });
    } catch (error) {
      // Another worker claimed a run of the same target at the same moment: the
      // unique running_target index refused this one.
      if (isDatabaseConflictError(error) && target) {
        const running = await this.db<RunRow>(RUNS_TABLE)
          .where({
            agent: target.agent,
            target: target.target,
            status: 'running',
          })
          .first();
        return { busy: running ? rowToRun(running) : undefined };
      }
      throw error;
    }
  }

  async returnToQueue(id: string, phase: string, now: Date): Promise<void> {
    await updateRunning(this.db, RUNS_TABLE, id, {
      status: 'queued',
      phase: this.redact(phase),
      started_at: null,
      running_target: null,
      agent_job_id: null,
      updated_at: now,
    });
  }

  async recordJobStarted(
    id: string,
    agentJobId: string,
    phase: string,
    now: Date,
  ): Promise<void> {
    await updateRunning(this.db, RUNS_TABLE, id, {
      agent_job_id: agentJobId,
      ...agentHeard(this.redact(phase), now),
    });
  }

  async recordProgress(
    id: string,
    progress: { phase: string; bytesStored: number },
    now: Date,
  ): Promise<void> {
    await updateRunning(this.db, RUNS_TABLE, id, {
      ...agentHeard(this.redact(progress.phase), now),
      bytes_stored: progress.bytesStored,
    });
  }

  async finishRun(id: string, outcome: RunOutcome): Promise<boolean> {
    const updated = await this.db(RUNS_TABLE)
      .where({ id })
      .whereIn('status', ACTIVE)
      .update({
        status: outcome.status,
        phase: outcome.phase === undefined ? null : this.redact(outcome.phase),
        finished_at: outcome.finishedAt,
        duration_ms: outcome.durationMs ?? null,
        bytes_raw: outcome.bytesRaw ?? null,
        bytes_stored: outcome.bytesStored ?? null,
        bytes_new: outcome.bytesNew ?? null,
        dedup_ratio: outcome.dedupRatio ?? null,
        sha256: outcome.sha256 ?? null,
        snapshot_id: outcome.snapshotId ?? null,
        location: outcome.location ?? null,
        downtime_ms: outcome.downtimeMs ?? null,
        group_cut: outcome.groupCut ? JSON.stringify(outcome.groupCut) : null,
        tiers: outcome.tiers ? JSON.stringify(outcome.tiers) : null,
        error: this.redact(outcome.error),
        running_target: null,
        updated_at: outcome.finishedAt,
      });
    return updated > 0;
  }
}
