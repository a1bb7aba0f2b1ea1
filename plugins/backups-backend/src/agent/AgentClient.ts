import type {
  AgentHealth,
  AgentJob,
  AgentSnapshot,
  AgentTarget,
  RetentionPolicy,
} from '@safekeep/plugin-backups-common';
import type { ZodType } from 'zod';
import type { AgentConfig } from '../config/readBackupsConfig';
import { redactSecrets } from '../redaction/redactSecrets';
import { withoutUrlCredentials } from './withoutUrlCredentials';
import { fetchTrustingCa } from './fetchTrustingCa';
import { signatureHeaders } from './signRequest';
import { AgentError } from './AgentError';
import {
  AgentDryRun,
  agentConflictSchema,
  AgentGroup,
  agentDropSchema,
  agentDryRunSchema,
  agentGroupDryRunSchema,
  AgentGroupDryRun,
  agentGroupListSchema,
  agentHealthSchema,
  agentJobSchema,
  agentSnapshotListSchema,
  agentTargetListSchema,
} from './agentResponseSchemas';

/** The agent's HTTP paths (`/v1/...`), in one place. */

/** A restore as the agent takes it (`POST /v1/restores`). */
export interface AgentRestoreRequest {
  target: string;
  snapshotId: string;
  force?: boolean;
  /** Another destination of the same target (`restore --to`). */
  destination?: string;
  /** The target the snapshot was taken from, when it is not `target` (a restore into another target). */
  from?: string;
}
export const AGENT_PATHS = {
  health: '/v1/health',
  startBackup: '/v1/backups',
  job: (id: string) => `/v1/jobs/${encodeURIComponent(id)}`,
  snapshots: (target: string) =>
    `/v1/snapshots?target=${encodeURIComponent(target)}`,
  targets: '/v1/targets',
  verify: '/v1/verify',
  restores: '/v1/restores',
  groupRestores: '/v1/group-restores',
  prune: '/v1/prune',
  dropDestination: '/v1/destinations/drop',
  groups: '/v1/groups',
};

export type StartBackupResult =
  | { kind: 'started'; job: AgentJob }
  /** The agent already runs a job for this target (HTTP 409). */
  | { kind: 'busy'; runningJobId: string; message: string };

export interface AgentClientOptions {
  /** Per request; a hung agent must not hold up the runner. Default 15 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** Talks to one host agent over HTTP with its bearer token. */
export class AgentClient {
  private readonly timeoutMs: number;

  constructor(
    private readonly agent: AgentConfig,
    options: AgentClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get name(): string {
    return this.agent.name;
  }

  async health(): Promise<AgentHealth> {
    const response = await this.request('GET', AGENT_PATHS.health);
    if (!response.ok)
      throw await this.errorFor('GET', AGENT_PATHS.health, response);
    return (await this.parse(
      'GET',
      AGENT_PATHS.health,
      response,
      agentHealthSchema,
    )) as AgentHealth;
  }

  startBackup(target: string): Promise<StartBackupResult> {
    return this.startJob(AGENT_PATHS.startBackup, { target });
  }

  /** Asks the agent to apply a retention policy to one tier of a target (a `prune` job). */
  startPrune(
    target: string,
    tier: string,
    retention: RetentionPolicy,
    /** Snapshots that failed a scheduled verify: the agent never counts them as good ones. */
    failedVerify: string[] = [],
  ): Promise<StartBackupResult> {
    return this.startJob(AGENT_PATHS.prune, {
      target,
      tier,
      retention,
      dryRun: false,
      ...(failedVerify.length > 0 ? { failedVerify } : {}),
    });
  }

  /**
   * Backs a consistency group up in one job: the agent stops the group's containers, dumps every
   * member target, and starts them again. 404 (unknown group) and 400 (an agent without groups)
   * come back as AgentError with that status.
   */
  startGroupBackup(group: string): Promise<StartBackupResult> {
    return this.startJob(AGENT_PATHS.startBackup, { group });
  }

  /** The job, or undefined when the agent does not know it (e.g. it restarted). */
  async getJob(id: string): Promise<AgentJob | undefined> {
    const path = AGENT_PATHS.job(id);
    const response = await this.request('GET', path);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw await this.errorFor('GET', path, response);
    return this.redactJob(
      (await this.parse('GET', path, response, agentJobSchema)) as AgentJob,
    );
  }

  /** Complete snapshots of a target, newest first. */
  async listSnapshots(target: string): Promise<AgentSnapshot[]> {
    const path = AGENT_PATHS.snapshots(target);
    const response = await this.request('GET', path);
    if (!response.ok) throw await this.errorFor('GET', path, response);
    return (await this.parse('GET', path, response, agentSnapshotListSchema))
      .snapshots as AgentSnapshot[];
  }

  /** The agent's targets, with any extra fields it reports (such as containers a target stops). */
  async listTargets(): Promise<Array<AgentTarget & Record<string, unknown>>> {
    const response = await this.request('GET', AGENT_PATHS.targets);
    if (!response.ok)
      throw await this.errorFor('GET', AGENT_PATHS.targets, response);
    return (
      await this.parse(
        'GET',
        AGENT_PATHS.targets,
        response,
        agentTargetListSchema,
      )
    ).targets as Array<AgentTarget & Record<string, unknown>>;
  }

  /** The agent's consistency groups with the containers they stop now (404 from an agent that predates it). */
  async listGroups(): Promise<AgentGroup[]> {
    const response = await this.request('GET', AGENT_PATHS.groups);
    if (!response.ok)
      throw await this.errorFor('GET', AGENT_PATHS.groups, response);
    return (
      (await this.parse(
        'GET',
        AGENT_PATHS.groups,
        response,
        agentGroupListSchema,
      )) as { groups: AgentGroup[] }
    ).groups;
  }

  /**
   * Starts re-reading a snapshot and comparing every artifact with its manifest (`verify` job).
   * With `from`, the snapshot is one of that target's, read through `target`'s storage tiers.
   */
  startVerify(
    target: string,
    snapshotId: string,
    from?: string,
    /** Only this storage tier (scheduled verify reads one tier at a time); every tier without. */
    tier?: string,
  ): Promise<StartBackupResult> {
    return this.startJob(AGENT_PATHS.verify, {
      target,
      snapshotId,
      ...(from ? { from } : {}),
      ...(tier ? { tier } : {}),
    });
  }

  /**
   * Starts a restore (`restore` job); the agent's refusals come back as the job's error. With
   * `from`, a snapshot of that target (on storage this agent shares) is restored into `target`.
   */
  startRestore(restore: AgentRestoreRequest): Promise<StartBackupResult> {
    return this.startJob(AGENT_PATHS.restores, { ...restore });
  }

  /**
   * Every check of a restore without restoring (`dryRun: true`, answered at once): refusals,
   * the destination's state and version, the containers it stops. An agent that predates
   * dry-runs answers 400 (AgentError 'rejected').
   */
  async dryRunRestore(
    restore: AgentRestoreRequest,
    options: { timeoutMs?: number } = {},
  ): Promise<AgentDryRun> {
    const parsed = (await this.post(
      AGENT_PATHS.restores,
      { ...restore, dryRun: true },
      agentDryRunSchema,
      options.timeoutMs,
    )) as AgentDryRun;
    return {
      ...parsed,
      refusals: parsed.refusals.map(r => this.redact(r)),
      refusalDetails: parsed.refusalDetails.map(d => ({
        ...d,
        message: this.redact(d.message),
      })),
    };
  }

  /**
   * Removes a restore destination of a target (a drill's scratch database or path). The agent
   * refuses the target's own data (409) and engines it cannot drop for (501): AgentError.
   */
  async dropDestination(drop: {
    target: string;
    destination: string;
  }): Promise<{ message: string }> {
    const parsed = await this.post(
      AGENT_PATHS.dropDestination,
      drop,
      agentDropSchema,
    );
    return { message: this.redact(parsed.message) };
  }

  /** Starts a consistency group's restore on the agent: it stops the group's containers itself. */
  startGroupRestore(restore: {
    group: string;
    snapshotIds: Record<string, string>;
    force?: boolean;
  }): Promise<StartBackupResult> {
    return this.startJob(AGENT_PATHS.groupRestores, { ...restore });
  }

  /**
   * Every check of a group restore the agent runs itself, without stopping or writing anything
   * (`POST /v1/group-restores { group, snapshotIds, dryRun: true }`): each member's refusals, and whether the group's
   * containers can be found. An agent that predates group dry runs answers 400.
   */
  async dryRunGroupRestore(
    restore: {
      group: string;
      snapshotIds: Record<string, string>;
      force?: boolean;
    },
    options: { timeoutMs?: number } = {},
  ): Promise<AgentGroupDryRun> {
    const parsed = (await this.post(
      AGENT_PATHS.groupRestores,
      { ...restore, dryRun: true },
      agentGroupDryRunSchema,
      options.timeoutMs,
    )) as AgentGroupDryRun;
    return { ...parsed, refusals: parsed.refusals.map(r => this.redact(r)) };
  }

  /** POSTs and parses a 2xx answer; any other answer becomes an AgentError. */
  private async post<T>(
    path: string,
    body: object,
    schema: ZodType<T>,
    timeoutMs?: number,
  ): Promise<T> {
    const response = await this.request('POST', path, body, timeoutMs);
    if (!response.ok) throw await this.errorFor('POST', path, response);
    return this.parse('POST', path, response, schema);
  }

  private async startJob(
    path: string,
    body: Record<string, unknown>,
  ): Promise<StartBackupResult> {
    const response = await this.request('POST', path, body);
    if (response.status === 409) {
      const conflict = await this.parse(
        'POST',
        path,
        response,
        agentConflictSchema,
      );
      return {
        kind: 'busy',
        runningJobId: conflict.runningJobId,
        message: this.redact(conflict.error),
      };
    }
    if (!response.ok) throw await this.errorFor('POST', path, response);
    return {
      kind: 'started',
      job: this.redactJob(
        (await this.parse('POST', path, response, agentJobSchema)) as AgentJob,
      ),
    };
  }

  private where(method: string, path: string): string {
    return `agent "${this.agent.name}" (${method} ${this.agent.url}${path})`;
  }

  private redact(text: string): string {
    return redactSecrets(text, [this.agent.token]);
  }

  /** A job's error and phase are free text from the agent and its tools: redacted on arrival. */
  private redactJob(job: AgentJob): AgentJob {
    return {
      ...job,
      phase: this.redact(job.phase),
      ...(job.error === undefined ? {} : { error: this.redact(job.error) }),
    };
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = this.timeoutMs,
  ): Promise<Response> {
    let response: Response;
    try {
      const send = this.agent.ca ? fetchTrustingCa(this.agent.ca) : fetch;
      const url = `${this.agent.url}${path}`;
      const text = body === undefined ? undefined : JSON.stringify(body);
      const { pathname, search } = new URL(url);
      response = await send(url, {
        method,
        // A redirect would take the token and the request to wherever the answer points.
        redirect: 'manual',
        headers: {
          authorization: `Bearer ${this.agent.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...signatureHeaders(this.agent.token, {
            method,
            path: `${pathname}${search}`,
            body: text,
          }),
        },
        body: text,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const name = (error as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new AgentError(
          'timeout',
          `${this.where(method, path)} did not answer within ${timeoutMs} ms`,
        );
      }
      const cause = (error as { cause?: { code?: string; message?: string } })
        ?.cause;
      const reason =
        cause?.code ??
        cause?.message ??
        (error as Error)?.message ??
        'unknown error';
      throw new AgentError(
        'unreachable',
        this.redact(
          `${this.where(
            method,
            path,
          )} is unreachable (${reason}): check that the agent runs and that backups.agents.${
            this.agent.name
          }.url is right`,
        ),
      );
    }
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      const to = response.headers.get('location');
      throw new AgentError(
        'bad_response',
        this.redact(
          `${this.where(method, path)} answered HTTP ${response.status}, ${
            to ? `a redirect to ${withoutUrlCredentials(to)}` : 'a redirect'
          }: the backend does not follow an agent's redirects (they would take the token and the request elsewhere); set backups.agents.${
            this.agent.name
          }.url to the address the agent answers on`,
        ),
        response.status,
      );
    }
    return response;
  }

  private async errorFor(
    method: string,
    path: string,
    response: Response,
  ): Promise<AgentError> {
    const detail = await this.readErrorText(response);
    const where = this.where(method, path);
    const status = response.status;
    if (status === 401 || status === 403) {
      return new AgentError(
        'unauthorized',
        `${where} refused the token (HTTP ${status}): make backups.agents.${this.agent.name}.token equal the agent's token`,
        status,
      );
    }
    if (status === 404) {
      return new AgentError(
        'not_found',
        this.redact(`${where} answered 404${detail ? `: ${detail}` : ''}`),
        status,
      );
    }
    if (status >= 500) {
      return new AgentError(
        'server_error',
        this.redact(
          `${where} failed with HTTP ${status}${detail ? `: ${detail}` : ''}`,
        ),
        status,
      );
    }
    return new AgentError(
      'rejected',
      this.redact(
        `${where} rejected the request (HTTP ${status})${
          detail ? `: ${detail}` : ''
        }`,
      ),
      status,
    );
  }

  private async readErrorText(response: Response): Promise<string> {
    try {
      const text = await response.text();
      try {
        const json = JSON.parse(text);
        const message = json?.error?.message ?? json?.error ?? json?.message;
        if (typeof message === 'string') return message.slice(0, 1000);
      } catch {
        // Not JSON: fall through to the raw text.
      }
      return text.slice(0, 1000);
    } catch {
      return '';
    }
  }

  private async parse<T>(
    method: string,
    path: string,
    response: Response,
    schema: ZodType<T>,
  ): Promise<T> {
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new AgentError(
        'bad_response',
        `${this.where(method, path)} answered HTTP ${
          response.status
        } without JSON`,
        response.status,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .slice(0, 5);
      throw new AgentError(
        'bad_response',
        `${this.where(
          method,
          path,
        )} answered in an unexpected shape (${issues.join(
          '; ',
        )}): are the agent and backend versions compatible?`,
        response.status,
      );
    }
    return parsed.data;
  }
}
