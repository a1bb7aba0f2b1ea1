import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  AgentSnapshot,
  CreateRestoreRequest,
  RestoreRequest,
  EntityBackupSummary,
  RunsPage,
  SizeSeries,
  StartRunResponse,
  TargetListItem,
  TeamOverview,
} from '@safekeep/plugin-backups-common';
import type {
  BackupsApi,
  RestoreListRequest,
  RunsPageRequest,
} from './BackupsApi';

/** Talks to the `backups` backend through Backstage's discovery and (authenticated) fetch. */
export class BackupsClient implements BackupsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  getSummary(entity: CompoundEntityRef): Promise<EntityBackupSummary> {
    return this.request(`${entityPath(entity)}/summary`);
  }

  listRuns(
    entity: CompoundEntityRef,
    page: RunsPageRequest,
  ): Promise<RunsPage> {
    const query = new URLSearchParams({
      limit: String(page.limit),
      offset: String(page.offset),
    });
    return this.request(`${entityPath(entity)}/runs?${query}`);
  }

  startRun(entity: CompoundEntityRef): Promise<StartRunResponse> {
    return this.request(`${entityPath(entity)}/runs`, { method: 'POST' });
  }

  getSizes(entity: CompoundEntityRef, days: number): Promise<SizeSeries> {
    const query = new URLSearchParams({ days: String(days) });
    return this.request(`${entityPath(entity)}/sizes?${query}`);
  }

  async listSnapshots(entity: CompoundEntityRef): Promise<AgentSnapshot[]> {
    const body = await this.request<{ snapshots: AgentSnapshot[] }>(
      `${entityPath(entity)}/snapshots`,
    );
    return body.snapshots;
  }

  getTeamOverview(owner: string): Promise<TeamOverview> {
    const query = new URLSearchParams({ owner });
    return this.request(`/overview?${query}`);
  }

  listTargets(): Promise<TargetListItem[]> {
    return this.request('/targets');
  }

  requestRestore(
    entity: CompoundEntityRef,
    request: CreateRestoreRequest,
  ): Promise<RestoreRequest> {
    return this.request(`${entityPath(entity)}/restores`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  async listRestores(request: RestoreListRequest): Promise<RestoreRequest[]> {
    const query = new URLSearchParams();
    if (request.status) query.set('status', request.status);
    if (request.limit) query.set('limit', String(request.limit));
    const path = request.entity
      ? `${entityPath(request.entity)}/restores`
      : '/restores';
    const search = query.toString();
    const body = await this.request<{ items: RestoreRequest[] }>(
      `${path}${search ? `?${search}` : ''}`,
    );
    return body.items;
  }

  decideRestore(
    id: string,
    decision: 'approve' | 'reject',
    comment: string,
  ): Promise<RestoreRequest> {
    return this.request(`/restores/${encodeURIComponent(id)}/${decision}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ comment }),
    });
  }

  withdrawRestore(id: string): Promise<RestoreRequest> {
    return this.request(`/restores/${encodeURIComponent(id)}/withdraw`, {
      method: 'POST',
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('backups');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await toResponseError(response);
    }
    return (await response.json()) as T;
  }
}

function entityPath(entity: CompoundEntityRef): string {
  const parts = [entity.kind, entity.namespace, entity.name].map(
    encodeURIComponent,
  );
  return `/entities/${parts.join('/')}`;
}

/**
 * Builds a ResponseError whose `cause.message` is the server's own message.
 * ResponseError only understands Backstage's full error body (`{error, response}`);
 * a bare `{error: {message}}` would otherwise surface as raw JSON text.
 */
async function toResponseError(response: Response): Promise<ResponseError> {
  const text = await response.text();
  let normalized = text;
  try {
    const body = JSON.parse(text);
    if (
      body?.error &&
      typeof body.error.message === 'string' &&
      !body.response
    ) {
      normalized = JSON.stringify({
        error: { name: 'Error', ...body.error },
        response: { statusCode: response.status },
      });
    }
  } catch {
    // Not JSON: ResponseError keeps the text in its message.
  }
  return ResponseError.fromResponse({
    headers: normalized === text ? response.headers : jsonHeaders(),
    ok: response.ok,
    redirected: response.redirected,
    status: response.status,
    statusText: response.statusText,
    type: response.type,
    url: response.url,
    text: async () => normalized,
  });
}

function jsonHeaders(): Headers {
  return new Headers({ 'content-type': 'application/json' });
}
