import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { redactSecrets } from '../redaction/redactSecrets';
import { toDate } from '../runs/runRows';

export type VerificationStatus =
  | 'queued'
  | 'running'
  | 'ok'
  | 'failed'
  | 'error';

export interface StoredVerification {
  id: string;
  entityRef: string;
  agent: string;
  target: string;
  tier: string;
  snapshotId: string;
  slot: string;
  status: VerificationStatus;
  problem: string | null;
  agentJobId: string | null;
  createdAt: string;
  finishedAt: string | null;
  notifiedAt: string | null;
}

type DbTime = Date | number | string;

interface VerificationRow {
  id: string;
  entity_ref: string;
  agent: string;
  target: string;
  tier: string;
  snapshot_id: string;
  slot: DbTime;
  status: string;
  problem: string | null;
  agent_job_id: string | null;
  created_at: DbTime;
  started_at: DbTime | null;
  finished_at: DbTime | null;
  notified_at: DbTime | null;
}

const ROUNDS = 'verify_rounds';
const VERIFICATIONS = 'snapshot_verifications';

const iso = (value: DbTime | null) =>
  value === null || value === undefined ? null : toDate(value).toISOString();

function toVerification(row: VerificationRow): StoredVerification {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    agent: row.agent,
    target: row.target,
    tier: row.tier,
    snapshotId: row.snapshot_id,
    slot: iso(row.slot)!,
    status: row.status as VerificationStatus,
    problem: row.problem,
    agentJobId: row.agent_job_id,
    createdAt: iso(row.created_at)!,
    finishedAt: iso(row.finished_at),
    notifiedAt: iso(row.notified_at),
  };
}

/** Scheduled verify rounds and their per-snapshot results (migration snapshot_verifications). */
export class VerificationsStore {
  constructor(
    private readonly db: Knex,
    private readonly secrets: string[] = [],
  ) {}

  async hasRound(entityRef: string, tier: string, slot: Date) {
    const row = await this.db(ROUNDS)
      .where({ entity_ref: entityRef, tier, slot })
      .first('entity_ref');
    return Boolean(row);
  }

  /** How many rounds the entity's tier has had: the rotation's position. */
  async countRounds(entityRef: string, tier: string): Promise<number> {
    const [{ n }] = await this.db(ROUNDS)
      .where({ entity_ref: entityRef, tier })
      .count({ n: '*' });
    return Number(n);
  }

  /**
   * Records a round and queues its snapshots, once: a second replica's (or tick's) plan for
   * the same slot is ignored by the primary key. Returns whether this call recorded it.
   */
  async planRound(input: {
    entityRef: string;
    agent: string;
    target: string;
    tier: string;
    slot: Date;
    snapshotIds: string[];
    total: number;
    now: Date;
  }): Promise<boolean> {
    return this.db.transaction(async tx => {
      const inserted = await tx(ROUNDS)
        .insert({
          entity_ref: input.entityRef,
          tier: input.tier,
          slot: input.slot,
          selected: input.snapshotIds.length,
          total: input.total,
          created_at: input.now,
        })
        .onConflict(['entity_ref', 'tier', 'slot'])
        .ignore()
        .returning('entity_ref');
      if (inserted.length === 0) return false;
      if (input.snapshotIds.length > 0)
        await tx(VERIFICATIONS)
          .insert(
            input.snapshotIds.map(snapshotId => ({
              id: randomUUID(),
              entity_ref: input.entityRef,
              agent: input.agent,
              target: input.target,
              tier: input.tier,
              snapshot_id: snapshotId,
              slot: input.slot,
              status: 'queued',
              created_at: input.now,
            })),
          )
          .onConflict(['entity_ref', 'tier', 'snapshot_id', 'slot'])
          .ignore();
      return true;
    });
  }

  async listInStatus(
    status: VerificationStatus,
  ): Promise<StoredVerification[]> {
    const rows = await this.db<VerificationRow>(VERIFICATIONS)
      .where({ status })
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc');
    return rows.map(toVerification);
  }

  /** queued -> running with the agent's job; false when another worker took it. */
  async markRunning(id: string, jobId: string, now: Date): Promise<boolean> {
    const n = await this.db(VERIFICATIONS)
      .where({ id, status: 'queued' })
      .update({ status: 'running', agent_job_id: jobId, started_at: now });
    return n === 1;
  }

  async finish(
    id: string,
    status: 'ok' | 'failed' | 'error',
    problem: string | null,
    now: Date,
  ): Promise<void> {
    await this.db(VERIFICATIONS)
      .where({ id })
      .whereIn('status', ['queued', 'running'])
      .update({
        status,
        problem: problem === null ? null : redactSecrets(problem, this.secrets),
        finished_at: now,
      });
  }

  /** Failures nobody was told of, leaving out snapshots whose owners were told already. */
  async unnotifiedFailures(): Promise<StoredVerification[]> {
    const rows = await this.db<VerificationRow>(`${VERIFICATIONS} as v`)
      .where('v.status', 'failed')
      .whereNull('v.notified_at')
      .whereNotExists(q =>
        q
          .select('id')
          .from(`${VERIFICATIONS} as told`)
          .whereRaw('told.entity_ref = v.entity_ref')
          .whereRaw('told.tier = v.tier')
          .whereRaw('told.snapshot_id = v.snapshot_id')
          .whereNotNull('told.notified_at'),
      )
      .select('v.*')
      .orderBy('v.finished_at', 'asc');
    return rows.map(toVerification);
  }

  /** Marks every failed row of that snapshot as told, so it is never told again. */
  async markNotified(v: StoredVerification, now: Date): Promise<void> {
    await this.db(VERIFICATIONS)
      .where({
        entity_ref: v.entityRef,
        tier: v.tier,
        snapshot_id: v.snapshotId,
        status: 'failed',
      })
      .whereNull('notified_at')
      .update({ notified_at: now });
  }

  /**
   * The latest finished result (ok or failed) of each snapshot verified, per tier. A snapshot
   * whose latest result is failed is flagged.
   */
  async latestResults(filter: {
    entityRef?: string;
    entityRefs?: string[];
    agent?: string;
    target?: string;
    tier?: string;
  }): Promise<StoredVerification[]> {
    const where: Record<string, string> = {};
    if (filter.entityRef) where.entity_ref = filter.entityRef;
    if (filter.agent) where.agent = filter.agent;
    if (filter.target) where.target = filter.target;
    if (filter.tier) where.tier = filter.tier;
    const query = this.db<VerificationRow>(VERIFICATIONS)
      .where(where)
      .whereIn('status', ['ok', 'failed'])
      .orderBy('finished_at', 'asc');
    if (filter.entityRefs) query.whereIn('entity_ref', filter.entityRefs);
    const rows = await query;
    const latest = new Map<string, StoredVerification>();
    for (const row of rows) {
      const v = toVerification(row);
      latest.set(`${v.entityRef}\u0000${v.tier}\u0000${v.snapshotId}`, v);
    }
    return [...latest.values()];
  }

  /** Per entity, how many snapshots are flagged (latest verify failed); entities without any are left out. */
  async failedCounts(entityRefs: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (entityRefs.length === 0) return counts;
    for (const v of await this.latestResults({ entityRefs }))
      if (v.status === 'failed')
        counts.set(v.entityRef, (counts.get(v.entityRef) ?? 0) + 1);
    return counts;
  }

  /** Snapshot ids of a target's tier whose latest verify failed: retention never counts them. */
  async failedSnapshotIds(
    agent: string,
    target: string,
    tier: string,
  ): Promise<string[]> {
    return (await this.latestResults({ agent, target, tier }))
      .filter(v => v.status === 'failed')
      .map(v => v.snapshotId);
  }
}
