export type IncidentKind = 'failing' | 'stale';
export type IncidentCloseReason = 'recovered' | 'unconfigured';

/** A failing or stale period of one entity's backups. */
export interface Incident {
  id: string;
  entityRef: string;
  kind: IncidentKind;
  reason: string;
  owner: string | null;
  openedAt: string;
  closedAt: string | null;
  closeReason: IncidentCloseReason | null;
  /** When the opening notice was handled (sent, or nobody to send it to). */
  notifiedAt: string | null;
  recoveryNotifiedAt: string | null;
}

export interface NewIncident {
  entityRef: string;
  kind: IncidentKind;
  reason: string;
  owner: string | null;
}

/** Persistence of incidents (table backup_incidents): at most one open per entity and kind. */
export interface IncidentsStore {
  listOpen(): Promise<Incident[]>;
  /** Opens an incident unless one of the same entity and kind is open; undefined then. */
  open(incident: NewIncident, now: Date): Promise<Incident | undefined>;
  close(id: string, reason: IncidentCloseReason, now: Date): Promise<void>;
  /** Open incidents whose opening notice is still to go out. */
  listAwaitingNotice(): Promise<Incident[]>;
  /** Recovered incidents whose owners heard of the opening but not yet of the recovery. */
  listAwaitingRecoveryNotice(): Promise<Incident[]>;
  markNotified(id: string, now: Date): Promise<void>;
  markRecoveryNotified(id: string, now: Date): Promise<void>;
  listForEntity(entityRef: string): Promise<Incident[]>;
}
