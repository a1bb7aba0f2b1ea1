import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  AgentSnapshot,
  CreateRestoreRequest,
  RestoreRequest,
  RestoreStatus,
  EntityBackupSummary,
  RunsPage,
  SizeSeries,
  StartRunResponse,
  TargetListItem,
  TeamOverview,
} from '@safekeep/plugin-backups-common';

/** A page request: how many runs, skipping how many of the newest. */
export interface RunsPageRequest {
  limit: number;
  offset: number;
}

/** Which restore requests to list; only those of entities the user may read come back. */
export interface RestoreListRequest {
  status?: RestoreStatus;
  entity?: CompoundEntityRef;
  limit?: number;
}

/**
 * The frontend's view of the `backups` backend. Errors are thrown as
 * `ResponseError` from `@backstage/errors`, so callers can read `statusCode`
 * (409 when a backup of the entity is already running) and `cause.message`.
 */
export interface BackupsApi {
  /** Health, policy, last and running run of one entity. */
  getSummary(entity: CompoundEntityRef): Promise<EntityBackupSummary>;
  /** One page of the entity's runs, newest first. */
  listRuns(entity: CompoundEntityRef, page: RunsPageRequest): Promise<RunsPage>;
  /** Starts a backup now; rejects with a 409 ResponseError when one is running. */
  startRun(entity: CompoundEntityRef): Promise<StartRunResponse>;
  /** Stored size of each successful backup over the last `days` days, with the growth. */
  getSizes(entity: CompoundEntityRef, days: number): Promise<SizeSeries>;
  /** The entity's complete snapshots in every tier, newest first, as its agent lists them. */
  listSnapshots(entity: CompoundEntityRef): Promise<AgentSnapshot[]>;
  /** A team's backup health: counts, worst entities first, unprotected resources, trend. */
  getTeamOverview(owner: string): Promise<TeamOverview>;
  /** Every valid backup policy (entity, agent, target, engine) the user may read. */
  listTargets(): Promise<TargetListItem[]>;
  /** Asks for a restore; the answer carries its preview (and `refused` when it has refusals). */
  requestRestore(
    entity: CompoundEntityRef,
    request: CreateRestoreRequest,
  ): Promise<RestoreRequest>;
  /** Restore requests, newest first. */
  listRestores(request: RestoreListRequest): Promise<RestoreRequest[]>;
  /** Takes back one's own pending request (403 for someone else's, 409 once decided). */
  withdrawRestore(id: string): Promise<RestoreRequest>;
  /** Approves or rejects someone else's pending request (403 for one's own). */
  decideRestore(
    id: string,
    decision: 'approve' | 'reject',
    comment: string,
  ): Promise<RestoreRequest>;
}

export const backupsApiRef = createApiRef<BackupsApi>({
  id: 'plugin.backups.service',
});
