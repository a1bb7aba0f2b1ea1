import type { CompoundEntityRef } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type {
  AgentSnapshot,
  CreateRestoreRequest,
  RestoreRequest,
  BackupRun,
  EntityBackupSummary,
  RunsPage,
  SizeSeries,
  StartRunResponse,
  TargetListItem,
  TeamOverview,
} from '@safekeep/plugin-backups-common';
import type { BackupsApi, RestoreListRequest, RunsPageRequest } from '../api';

/**
 * An in-memory BackupsApi for component tests. The HTTP path is covered by
 * BackupsClient.test.ts and the end-to-end test; here only the UI is under test.
 * Each answer can be replaced per test, and every call is recorded.
 */
export class FakeBackupsApi implements BackupsApi {
  summaries: EntityBackupSummary[] = [];
  runs: BackupRun[] = [];
  summaryError?: Error;
  /** Team overviews by owner ref; an owner without one gets a 404-like error. */
  overviews: Record<string, TeamOverview> = {};
  overviewError?: Error;
  snapshots: AgentSnapshot[] = [];
  snapshotsError?: Error;
  /** Replaces the size series derived from `runs`. */
  sizesImpl?: (days: number) => Promise<SizeSeries>;
  startRunImpl: () => Promise<StartRunResponse> = async () => ({
    runId: 'run-new',
    status: 'queued',
  });
  readonly calls = {
    getSummary: [] as CompoundEntityRef[],
    listRuns: [] as Array<CompoundEntityRef & RunsPageRequest>,
    startRun: [] as CompoundEntityRef[],
    getSizes: [] as Array<CompoundEntityRef & { days: number }>,
    getTeamOverview: [] as string[],
    listTargets: 0,
    listSnapshots: [] as CompoundEntityRef[],
    requestRestore: [] as Array<{
      entity: CompoundEntityRef;
      request: CreateRestoreRequest;
    }>,
    listRestores: [] as RestoreListRequest[],
    withdrawRestore: [] as string[],
    decideRestore: [] as Array<{
      id: string;
      decision: 'approve' | 'reject';
      comment: string;
    }>,
  };
  /** Restore requests the fake lists (newest first), filtered as the backend would. */
  restores: RestoreRequest[] = [];
  /** Answers requestRestore; a test that requests a restore sets it. */
  requestRestoreImpl?: (
    entity: CompoundEntityRef,
    request: CreateRestoreRequest,
  ) => Promise<RestoreRequest>;
  /** Answers decideRestore; by default the listed request with the decision applied. */
  decideRestoreImpl?: (
    id: string,
    decision: 'approve' | 'reject',
    comment: string,
  ) => Promise<RestoreRequest>;

  /** Summaries are answered in order; the last one repeats. */
  constructor(
    options: { summaries?: EntityBackupSummary[]; runs?: BackupRun[] } = {},
  ) {
    this.summaries = options.summaries ?? [];
    this.runs = options.runs ?? [];
  }

  async getSummary(entity: CompoundEntityRef): Promise<EntityBackupSummary> {
    this.calls.getSummary.push(entity);
    if (this.summaryError) throw this.summaryError;
    const summary =
      this.summaries.length > 1 ? this.summaries.shift()! : this.summaries[0];
    if (!summary) throw new Error('FakeBackupsApi: no summary given');
    return summary;
  }

  async listRuns(
    entity: CompoundEntityRef,
    page: RunsPageRequest,
  ): Promise<RunsPage> {
    this.calls.listRuns.push({ ...entity, ...page });
    return {
      items: this.runs.slice(page.offset, page.offset + page.limit),
      total: this.runs.length,
      limit: page.limit,
      offset: page.offset,
    };
  }

  async startRun(entity: CompoundEntityRef): Promise<StartRunResponse> {
    this.calls.startRun.push(entity);
    return this.startRunImpl();
  }

  /** Like the backend: succeeded runs with a size within `days`, oldest first. */
  async getSizes(entity: CompoundEntityRef, days: number): Promise<SizeSeries> {
    this.calls.getSizes.push({ ...entity, days });
    if (this.sizesImpl) return this.sizesImpl(days);
    const since = Date.now() - days * 86_400_000;
    const points = this.runs
      .filter(run => run.status === 'succeeded' && run.bytesStored !== null)
      .map(run => ({
        at: run.finishedAt ?? run.createdAt,
        bytesStored: run.bytesStored!,
        bytesRaw: run.bytesRaw ?? run.bytesStored!,
        bytesNew: run.bytesNew ?? null,
      }))
      .filter(point => new Date(point.at).getTime() >= since)
      .sort((a, b) => a.at.localeCompare(b.at));
    return {
      entityRef:
        `${entity.kind}:${entity.namespace}/${entity.name}`.toLocaleLowerCase(
          'en-US',
        ),
      days,
      points,
      growthBytesPer30Days: null,
    };
  }

  async listSnapshots(entity: CompoundEntityRef): Promise<AgentSnapshot[]> {
    this.calls.listSnapshots.push(entity);
    if (this.snapshotsError) throw this.snapshotsError;
    return this.snapshots;
  }

  async getTeamOverview(owner: string): Promise<TeamOverview> {
    this.calls.getTeamOverview.push(owner);
    if (this.overviewError) throw this.overviewError;
    const overview = this.overviews[owner];
    if (!overview) throw new Error(`FakeBackupsApi: no overview of ${owner}`);
    return overview;
  }

  targets: TargetListItem[] = [];

  async listTargets(): Promise<TargetListItem[]> {
    this.calls.listTargets += 1;
    return this.targets;
  }

  async withdrawRestore(id: string): Promise<RestoreRequest> {
    this.calls.withdrawRestore.push(id);
    const request = this.restores.find(r => r.id === id);
    if (!request) throw new Error(`FakeBackupsApi: no restore ${id}`);
    request.status = 'withdrawn';
    return request;
  }

  async requestRestore(
    entity: CompoundEntityRef,
    request: CreateRestoreRequest,
  ): Promise<RestoreRequest> {
    this.calls.requestRestore.push({ entity, request });
    if (!this.requestRestoreImpl)
      throw new Error('FakeBackupsApi: no requestRestoreImpl given');
    const created = await this.requestRestoreImpl(entity, request);
    this.restores.unshift(created);
    return created;
  }

  async listRestores(request: RestoreListRequest): Promise<RestoreRequest[]> {
    this.calls.listRestores.push(request);
    const entityRef = request.entity
      ? stringifyEntityRef(request.entity)
      : undefined;
    return this.restores
      .filter(r => !request.status || r.status === request.status)
      .filter(r => !entityRef || r.entityRef === entityRef);
  }

  async decideRestore(
    id: string,
    decision: 'approve' | 'reject',
    comment: string,
  ): Promise<RestoreRequest> {
    this.calls.decideRestore.push({ id, decision, comment });
    if (this.decideRestoreImpl)
      return this.decideRestoreImpl(id, decision, comment);
    const index = this.restores.findIndex(r => r.id === id);
    if (index < 0) throw new Error(`FakeBackupsApi: no restore ${id}`);
    const decided: RestoreRequest = {
      ...this.restores[index],
      status: decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: 'user:default/bob',
      decidedAt: new Date().toISOString(),
      decisionComment: comment,
    };
    this.restores[index] = decided;
    return decided;
  }
}
