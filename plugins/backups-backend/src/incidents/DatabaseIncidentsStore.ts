import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type {
  Incident,
  IncidentCloseReason,
  IncidentKind,
  IncidentsStore,
  NewIncident,
} from './IncidentsStore';
import { toDate } from '../runs/runRows';

export const INCIDENTS_TABLE = 'backup_incidents';

type DbTime = Date | number | string;

interface IncidentRow {
  id: string;
  entity_ref: string;
  kind: string;
  reason: string;
  owner: string | null;
  opened_at: DbTime;
  closed_at: DbTime | null;
  close_reason: string | null;
  notified_at: DbTime | null;
  recovery_notified_at: DbTime | null;
  open_key: string | null;
}

const iso = (value: DbTime | null) =>
  value === null || value === undefined ? null : toDate(value).toISOString();

function rowToIncident(row: IncidentRow): Incident {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    kind: row.kind as IncidentKind,
    reason: row.reason,
    owner: row.owner,
    openedAt: iso(row.opened_at)!,
    closedAt: iso(row.closed_at),
    closeReason: row.close_reason as IncidentCloseReason | null,
    notifiedAt: iso(row.notified_at),
    recoveryNotifiedAt: iso(row.recovery_notified_at),
  };
}

/** The key of open_key: set while open so its unique index allows one open incident per entity and kind. */
const openKey = (entityRef: string, kind: IncidentKind) =>
  `${entityRef}|${kind}`;

/** IncidentsStore on the plugin's database. */
export class DatabaseIncidentsStore implements IncidentsStore {
  constructor(private readonly db: Knex) {}

  async listOpen(): Promise<Incident[]> {
    const rows = await this.db<IncidentRow>(INCIDENTS_TABLE)
      .whereNotNull('open_key')
      .orderBy('opened_at');
    return rows.map(rowToIncident);
  }

  async open(incident: NewIncident, now: Date): Promise<Incident | undefined> {
    const id = randomUUID();
    // The unique open_key settles two checks racing to open the same incident.
    await this.db(INCIDENTS_TABLE)
      .insert({
        id,
        entity_ref: incident.entityRef,
        kind: incident.kind,
        reason: incident.reason.slice(0, 4000),
        owner: incident.owner,
        opened_at: now,
        open_key: openKey(incident.entityRef, incident.kind),
      })
      .onConflict(['open_key'])
      .ignore();
    const row = await this.db<IncidentRow>(INCIDENTS_TABLE)
      .where({ id })
      .first();
    return row ? rowToIncident(row) : undefined;
  }

  async close(
    id: string,
    reason: IncidentCloseReason,
    now: Date,
  ): Promise<void> {
    await this.db(INCIDENTS_TABLE)
      .where({ id })
      .whereNotNull('open_key')
      .update({ closed_at: now, close_reason: reason, open_key: null });
  }

  async listAwaitingNotice(): Promise<Incident[]> {
    const rows = await this.db<IncidentRow>(INCIDENTS_TABLE)
      .whereNotNull('open_key')
      .whereNull('notified_at')
      .orderBy('opened_at');
    return rows.map(rowToIncident);
  }

  async listAwaitingRecoveryNotice(): Promise<Incident[]> {
    const rows = await this.db<IncidentRow>(INCIDENTS_TABLE)
      .where({ close_reason: 'recovered' })
      .whereNotNull('notified_at')
      .whereNull('recovery_notified_at')
      .orderBy('closed_at');
    return rows.map(rowToIncident);
  }

  async markNotified(id: string, now: Date): Promise<void> {
    await this.db(INCIDENTS_TABLE).where({ id }).update({ notified_at: now });
  }

  async markRecoveryNotified(id: string, now: Date): Promise<void> {
    await this.db(INCIDENTS_TABLE)
      .where({ id })
      .update({ recovery_notified_at: now });
  }

  async listForEntity(entityRef: string): Promise<Incident[]> {
    const rows = await this.db<IncidentRow>(INCIDENTS_TABLE)
      .where({ entity_ref: entityRef })
      .orderBy('opened_at');
    return rows.map(rowToIncident);
  }
}
