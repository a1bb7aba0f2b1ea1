import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { RetentionPolicy } from '@safekeep/plugin-backups-common';
import { redactSecrets } from '../redaction/redactSecrets';
import type {
  NewPrune,
  PruneOutcome,
  PrunesStore,
  PruneStatus,
  StoredPrune,
} from './PrunesStore';
import { toDate } from '../runs/runRows';

export const PRUNES_TABLE = 'backup_prunes';

type DbTime = Date | number | string;

interface PruneRow {
  id: string;
  run_id: string;
  entity_ref: string;
  agent: string;
  target: string;
  tier: string;
  retention_annotation: string;
  retention: string;
  status: string;
  agent_job_id: string | null;
  pruned: string | null;
  incomplete_removed: string | null;
  kept_count: number | string | null;
  error: string | null;
  created_at: DbTime;
  started_at: DbTime | null;
  finished_at: DbTime | null;
  updated_at: DbTime;
}

function iso(value: DbTime | null): string | null {
  return value === null || value === undefined
    ? null
    : toDate(value).toISOString();
}

function jsonList(text: string | null): string[] | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : null;
  } catch {
    return null;
  }
}

function rowToPrune(row: PruneRow): StoredPrune {
  return {
    id: row.id,
    runId: row.run_id,
    entityRef: row.entity_ref,
    agent: row.agent,
    target: row.target,
    tier: row.tier,
    retentionAnnotation: row.retention_annotation,
    retention: JSON.parse(row.retention) as RetentionPolicy,
    status: row.status as PruneStatus,
    agentJobId: row.agent_job_id,
    pruned: jsonList(row.pruned),
    incompleteRemoved: jsonList(row.incomplete_removed),
    keptCount:
      row.kept_count === null || row.kept_count === undefined
        ? null
        : Number(row.kept_count),
    error: row.error,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    updatedAt: iso(row.updated_at)!,
  };
}

/** PrunesStore on the plugin's database. */
export class DatabasePrunesStore implements PrunesStore {
  constructor(
    private readonly db: Knex,
    private readonly secrets: string[] = [],
  ) {}

  async createPrunes(prunes: NewPrune[], now: Date): Promise<StoredPrune[]> {
    if (prunes.length === 0) return [];
    const rows = prunes.map(p => ({
      id: randomUUID(),
      run_id: p.runId,
      entity_ref: p.entityRef,
      agent: p.agent,
      target: p.target,
      tier: p.tier,
      retention_annotation: p.retentionAnnotation,
      retention: JSON.stringify(p.retention),
      status: p.error ? 'failed' : 'pending',
      error: p.error ? redactSecrets(p.error, this.secrets) : null,
      created_at: now,
      finished_at: p.error ? now : null,
      updated_at: now,
    }));
    await this.db(PRUNES_TABLE).insert(rows);
    const stored = await this.db<PruneRow>(PRUNES_TABLE).whereIn(
      'id',
      rows.map(r => r.id),
    );
    const byId = new Map(stored.map(r => [r.id, rowToPrune(r)]));
    return rows.map(r => byId.get(r.id)!);
  }

  async listPrunesInStatus(
    status: 'pending' | 'running',
  ): Promise<StoredPrune[]> {
    const rows = await this.db<PruneRow>(PRUNES_TABLE)
      .where({ status })
      .orderBy('created_at', 'asc');
    return rows.map(rowToPrune);
  }

  async listPrunesOfRun(runId: string): Promise<StoredPrune[]> {
    const rows = await this.db<PruneRow>(PRUNES_TABLE)
      .where({ run_id: runId })
      .orderBy('created_at', 'asc')
      .orderBy('tier');
    return rows.map(rowToPrune);
  }

  async claimPrune(id: string, now: Date): Promise<boolean> {
    const updated = await this.db(PRUNES_TABLE)
      .where({ id, status: 'pending' })
      .update({
        status: 'running',
        started_at: now,
        updated_at: now,
        agent_job_id: null,
      });
    return updated > 0;
  }

  async returnPruneToPending(id: string, now: Date): Promise<void> {
    await this.db(PRUNES_TABLE)
      .where({ id, status: 'running' })
      .update({ status: 'pending', updated_at: now });
  }

  async recordPruneStarted(
    id: string,
    agentJobId: string,
    now: Date,
  ): Promise<void> {
    await this.db(PRUNES_TABLE)
      .where({ id, status: 'running' })
      .update({ agent_job_id: agentJobId, updated_at: now });
  }

  async recordPruneSeen(id: string, now: Date): Promise<void> {
    await this.db(PRUNES_TABLE)
      .where({ id, status: 'running' })
      .update({ updated_at: now });
  }

  async finishPrune(
    id: string,
    outcome: PruneOutcome,
    now: Date,
  ): Promise<boolean> {
    const fields =
      outcome.status === 'succeeded'
        ? {
            pruned: JSON.stringify(outcome.pruned),
            incomplete_removed: JSON.stringify(outcome.incompleteRemoved),
            kept_count: outcome.keptCount,
            error: null,
          }
        : { error: redactSecrets(outcome.error, this.secrets) };
    const updated = await this.db(PRUNES_TABLE)
      .where({ id })
      .whereIn('status', ['pending', 'running'])
      .update({
        ...fields,
        status: outcome.status,
        finished_at: now,
        updated_at: now,
      });
    return updated > 0;
  }
}
