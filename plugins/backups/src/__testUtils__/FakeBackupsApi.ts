import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  BackupRun,
  EntityBackupSummary,
  RunsPage,
  StartRunResponse,
} from '@safekeep/plugin-backups-common';
import type { BackupsApi, RunsPageRequest } from '../api';

/**
 * An in-memory BackupsApi for component tests. The HTTP path is covered by
 * BackupsClient.test.ts and the end-to-end test; here only the UI is under test.
 * Each answer can be replaced per test, and every call is recorded.
 */
export class FakeBackupsApi implements BackupsApi {
  summaries: EntityBackupSummary[] = [];
  runs: BackupRun[] = [];
  summaryError?: Error;
  startRunImpl: () => Promise<StartRunResponse> = async () => ({
    runId: 'run-new',
    status: 'queued',
  });
  readonly calls = {
    getSummary: [] as CompoundEntityRef[],
    listRuns: [] as Array<CompoundEntityRef & RunsPageRequest>,
    startRun: [] as CompoundEntityRef[],
  };

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
}
