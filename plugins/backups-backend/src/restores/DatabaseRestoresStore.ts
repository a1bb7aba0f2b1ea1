import { randomUUID } from 'node:crypto';
import { previousScheduledTime } from '@safekeep/plugin-backups-common';
import type { Knex } from 'knex';
import { agentHeard, updateRunning } from '../database/runningRows';
import { redactNullable } from '../redaction/redactSecrets';
import { redactDeep } from '../redaction/redactDeep';
import {
  DRILL_SCHEDULES_TABLE,
  RESTORES_TABLE,
  RestoreRow,
  rowToRestore,
  toIso,
} from './restoreRows';
import type {
  DecideResult,
  DrillSchedule,
  DrillStatusCounts,
  GroupState,
  NewDrill,
  NewRestoreRequest,
  RestoreListFilter,
  RestoreOutcome,
  RestoresStore,
  StoredRestore,
} from './RestoresStore';
import { toDate } from '../runs/runRows';

/** A drill slot counts as overdue only this long after it was due: a restore takes time. */
export const DRILL_GRACE_MS = 6 * 3_600_000;

/** Entity refs per IN (...) list: well under every engine's bound-parameter limit. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK)
    out.push(items.slice(i, i + CHUNK));
  return out;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

function checkPassed(text: string | null): boolean {
  if (!text) return false;
  try {
    return JSON.parse(text)?.ok === true;
  } catch {
    return false;
  }
}

/** RestoresStore on the plugin's database (PostgreSQL, SQLite or MySQL through knex). */
export class DatabaseRestoresStore implements RestoresStore {
  constructor(
    private readonly db: Knex,
    private readonly secrets: string[] = [],
  ) {}

  private redact(text: string | null | undefined): string | null {
    return redactNullable(text, this.secrets);
  }

  private async read(
    id: string,
    tx: Knex = this.db,
  ): Promise<StoredRestore | undefined> {
    const row = await tx<RestoreRow>(RESTORES_TABLE).where({ id }).first();
    return row ? rowToRestore(row) : undefined;
  }

  async createRequest(input: NewRestoreRequest): Promise<StoredRestore> {
    const id = randomUUID();
    const refused = input.preview.refusals.length > 0;
    await this.db(RESTORES_TABLE).insert({
      id,
      entity_ref: input.entityRef,
      agent: input.agent,
      target: input.target,
      status: refused ? 'refused' : 'pending',
      phase: null,
      snapshot_id: input.snapshotId,
      destination: JSON.stringify(input.destination),
      force: input.force,
      reason: input.reason,
      requested_by: input.requestedBy,
      requested_at: input.now,
      expires_at: input.expiresAt,
      preview: JSON.stringify(redactDeep(input.preview, this.secrets)),
      error: refused
        ? this.redact(
            `Refused at preview: ${input.preview.refusals.join('; ')}`,
          )
        : null,
      group_state: input.groupState ? JSON.stringify(input.groupState) : null,
      drill: false,
      updated_at: input.now,
    });
    return (await this.read(id))!;
  }

  async createDrill(input: NewDrill): Promise<StoredRestore | undefined> {
    const id = randomUUID();
    // The unique (entity_ref, scheduled_for) index settles races between replicas.
    await this.db(RESTORES_TABLE)
      .insert({
        id,
        entity_ref: input.entityRef,
        agent: input.agent,
        target: input.target,
        status: 'approved',
        phase: 'waiting to start',
        snapshot_id: input.snapshotId,
        destination: JSON.stringify(input.destination),
        force: input.force,
        reason: 'Scheduled restore drill',
        requested_by: 'safekeep:restore-drill',
        requested_at: input.now,
        expires_at: input.expiresAt,
        preview: JSON.stringify(redactDeep(input.preview, this.secrets)),
        drill: true,
        scheduled_for: input.scheduledFor,
        updated_at: input.now,
      })
      .onConflict(['entity_ref', 'scheduled_for'])
      .ignore();
    return this.read(id);
  }

  getRequest(id: string): Promise<StoredRestore | undefined> {
    return this.read(id);
  }

  async listRequests(filter: RestoreListFilter): Promise<StoredRestore[]> {
    const query = this.db<RestoreRow>(RESTORES_TABLE);
    if (filter.status) query.where({ status: filter.status });
    if (filter.entityRef) query.where({ entity_ref: filter.entityRef });
    const rows = await query
      .orderBy([
        { column: 'requested_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(filter.limit);
    return rows.map(rowToRestore);
  }

  async decide(
    id: string,
    decision: {
      decidedBy: string;
      approve: boolean;
      comment: string;
      now: Date;
    },
  ): Promise<DecideResult> {
    const { decidedBy, approve, comment, now } = decision;
    // Every rule in the WHERE clause: a second decision, a self-approval or a late one changes nothing.
    const updated = await this.db(RESTORES_TABLE)
      .where({ id, status: 'pending' })
      .whereNot('requested_by', decidedBy)
      .where('expires_at', '>', now)
      .update({
        status: approve ? 'approved' : 'rejected',
        phase: approve ? 'waiting to start' : null,
        decided_by: decidedBy,
        decided_at: now,
        decision_comment: comment,
        updated_at: now,
      });
    const request = await this.read(id);
    if (updated > 0) return { decided: request! };
    if (!request) return { refused: 'missing' };
    if (request.requestedBy === decidedBy)
      return { refused: 'own-request', request };
    if (
      request.status === 'pending' &&
      new Date(request.expiresAt).getTime() <= now.getTime()
    ) {
      await this.expireOverdue(now);
      return { refused: 'expired', request: await this.read(id) };
    }
    return {
      refused: request.status === 'expired' ? 'expired' : 'not-pending',
      request,
    };
  }

  async withdraw(
    id: string,
    requestedBy: string,
    now: Date,
  ): Promise<{ withdrawn: boolean; request?: StoredRestore }> {
    const updated = await this.db(RESTORES_TABLE)
      .where({ id, status: 'pending', requested_by: requestedBy })
      .update({ status: 'withdrawn', finished_at: now, updated_at: now });
    return { withdrawn: updated > 0, request: await this.read(id) };
  }

  async expireOverdue(now: Date): Promise<StoredRestore[]> {
    const rows = await this.db<RestoreRow>(RESTORES_TABLE)
      .whereIn('status', ['pending', 'approved'])
      .where('expires_at', '<=', now);
    const expired: StoredRestore[] = [];
    for (const row of rows) {
      const error =
        row.status === 'pending'
          ? 'Nobody approved the request before it expired; ask again if it is still needed.'
          : 'Approved, but it could not start before the request expired; ask again if it is still needed.';
      const updated = await this.db(RESTORES_TABLE)
        .where({ id: row.id, status: row.status })
        .update({ status: 'expired', phase: null, error, updated_at: now });
      if (updated > 0) expired.push((await this.read(row.id))!);
    }
    return expired;
  }

  async listInStatus(status: 'approved' | 'running'): Promise<StoredRestore[]> {
    const rows = await this.db<RestoreRow>(RESTORES_TABLE)
      .where({ status })
      .orderBy('requested_at', 'asc');
    return rows.map(rowToRestore);
  }

  async claimApproved(
    id: string,
    now: Date,
  ): Promise<StoredRestore | undefined> {
    const updated = await this.db(RESTORES_TABLE)
      .where({ id, status: 'approved' })
      .where('expires_at', '>', now)
      .update({
        status: 'running',
        phase: 'starting',
        started_at: now,
        agent_job_id: null,
        updated_at: now,
      });
    return updated > 0 ? this.read(id) : undefined;
  }

  async returnToApproved(id: string, phase: string, now: Date): Promise<void> {
    await updateRunning(this.db, RESTORES_TABLE, id, {
      status: 'approved',
      phase: this.redact(phase),
      started_at: null,
      agent_job_id: null,
      updated_at: now,
    });
  }

  async recordJobStarted(
    id: string,
    agentJobId: string,
    phase: string,
    now: Date,
    groupState?: GroupState | null,
  ): Promise<void> {
    await updateRunning(this.db, RESTORES_TABLE, id, {
      agent_job_id: agentJobId,
      ...agentHeard(this.redact(phase), now),
      ...(groupState ? { group_state: JSON.stringify(groupState) } : {}),
    });
  }

  async recordProgress(
    id: string,
    phase: string,
    now: Date,
    groupState?: GroupState | null,
  ): Promise<void> {
    await updateRunning(this.db, RESTORES_TABLE, id, {
      ...agentHeard(this.redact(phase), now),
      ...(groupState ? { group_state: JSON.stringify(groupState) } : {}),
    });
  }

  async finishRequest(id: string, outcome: RestoreOutcome): Promise<boolean> {
    const row = await this.db<RestoreRow>(RESTORES_TABLE)
      .where({ id })
      .first('started_at');
    const startedAt = row?.started_at ? toDate(row.started_at) : undefined;
    const updated = await this.db(RESTORES_TABLE)
      .where({ id, status: 'running' })
      .update({
        status: outcome.status,
        phase: outcome.phase === undefined ? null : this.redact(outcome.phase),
        finished_at: outcome.finishedAt,
        duration_ms: startedAt
          ? outcome.finishedAt.getTime() - startedAt.getTime()
          : null,
        check_result: outcome.check ? JSON.stringify(outcome.check) : null,
        error: this.redact(outcome.error),
        agent_job_id: null,
        updated_at: outcome.finishedAt,
        ...(outcome.groupState
          ? { group_state: JSON.stringify(outcome.groupState) }
          : {}),
      });
    return updated > 0;
  }

  async medianDowntimeMs(
    agent: string,
    target: string,
  ): Promise<number | null> {
    const rows = await this.db('backup_runs')
      .where({ agent, target })
      .whereIn('status', ['succeeded', 'partially_failed'])
      .whereNotNull('downtime_ms')
      .orderBy('finished_at', 'desc')
      .limit(50)
      .select('downtime_ms');
    return median(rows.map(r => Number(r.downtime_ms)));
  }

  async lastVerifiedRestoreAt(
    entityRefs: string[],
  ): Promise<Record<string, string | null>> {
    const result: Record<string, string | null> = Object.fromEntries(
      entityRefs.map(ref => [ref, null]),
    );
    const note = (ref: string, at: string | null | undefined) => {
      if (!at || !(ref in result)) return;
      if (!result[ref] || result[ref]! < at) result[ref] = at;
    };
    for (const refs of chunks(entityRefs)) {
      const rows = await this.db<RestoreRow>(RESTORES_TABLE)
        .where({ status: 'succeeded' })
        .whereIn('entity_ref', refs)
        .select('entity_ref', 'finished_at', 'check_result');
      for (const row of rows)
        if (checkPassed(row.check_result))
          note(row.entity_ref, toIso(row.finished_at));
    }
    // Members of group restores were verified too, each with its own check.
    const groups = await this.db<RestoreRow>(RESTORES_TABLE)
      .whereIn('status', ['succeeded', 'failed'])
      .whereNotNull('group_state')
      .orderBy('finished_at', 'desc')
      .limit(500)
      .select('group_state');
    for (const row of groups) {
      const state = JSON.parse(row.group_state!) as GroupState;
      for (const member of state.members) {
        if (member.status === 'succeeded' && member.check?.ok)
          note(member.entityRef, member.finishedAt);
      }
    }
    return result;
  }

  async drillStatusCounts(
    entityRefs: string[],
    now: Date = new Date(),
  ): Promise<DrillStatusCounts> {
    const counts: DrillStatusCounts = { overdue: 0, failing: 0 };
    for (const refs of chunks(entityRefs)) {
      const schedules = await this.db(DRILL_SCHEDULES_TABLE).whereIn(
        'entity_ref',
        refs,
      );
      for (const schedule of schedules) {
        const entityRef = schedule.entity_ref as string;
        const drills = () =>
          this.db<RestoreRow>(RESTORES_TABLE).where({
            entity_ref: entityRef,
            drill: true,
          });
        const dueSlot = previousScheduledTime(
          {
            source: schedule.source,
            cron: schedule.cron,
            timeZone: schedule.time_zone,
          },
          new Date(now.getTime() - DRILL_GRACE_MS),
        );
        const [lastSuccess, lastFinished] = await Promise.all([
          drills()
            .where({ status: 'succeeded' })
            .orderBy('scheduled_for', 'desc')
            .first('scheduled_for'),
          drills()
            .whereIn('status', ['succeeded', 'failed'])
            .orderBy('finished_at', 'desc')
            .first('status'),
        ]);
        const policySince = toDate(schedule.created_at);
        const lastSlot = lastSuccess?.scheduled_for
          ? toDate(lastSuccess.scheduled_for)
          : undefined;
        // Due before the policy existed does not count; a success at or after the slot covers it.
        if (dueSlot >= policySince && (!lastSlot || lastSlot < dueSlot))
          counts.overdue += 1;
        if (lastFinished?.status === 'failed') counts.failing += 1;
      }
    }
    return counts;
  }

  async syncDrillSchedules(
    schedules: DrillSchedule[],
    now: Date,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const keep = schedules.map(s => s.entityRef);
      const stale = tx(DRILL_SCHEDULES_TABLE);
      if (keep.length > 0) stale.whereNotIn('entity_ref', keep);
      await stale.delete();
      for (const schedule of schedules) {
        await tx(DRILL_SCHEDULES_TABLE)
          .insert({
            entity_ref: schedule.entityRef,
            cron: schedule.cron,
            time_zone: schedule.timeZone,
            source: schedule.source,
            destination: schedule.destination,
            created_at: now,
            updated_at: now,
          })
          .onConflict('entity_ref')
          .merge(['cron', 'time_zone', 'source', 'destination', 'updated_at']);
      }
    });
  }

  async latestDrill(entityRef: string): Promise<StoredRestore | undefined> {
    const row = await this.db<RestoreRow>(RESTORES_TABLE)
      .where({ entity_ref: entityRef, drill: true })
      .orderBy('requested_at', 'desc')
      .first();
    return row ? rowToRestore(row) : undefined;
  }
}
