import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { TargetListItem } from '@safekeep/plugin-backups-common';
import type { RunAggregates } from '../aggregates/RunAggregates';
import type { CatalogPolicyReader } from '../policies/CatalogPolicyReader';
import { ownerRefOf } from '../policies/ownerRef';
import { readableEntities } from '../permissions/readableEntities';
import { computeEntitySummary } from '../summary/computeEntitySummary';

/** Every valid policy the caller may read, by agent and target (GET /targets), for operators. */
export class TargetsService {
  constructor(
    private readonly options: {
      policies: Pick<CatalogPolicyReader, 'readAll'>;
      aggregates: Pick<RunAggregates, 'getRunFacts'>;
      permissions: PermissionsService;
      dispatchIntervalMs: number;
      now?: () => Date;
    },
  ) {}

  async list(credentials: BackstageCredentials): Promise<TargetListItem[]> {
    const now = this.options.now?.() ?? new Date();
    const all = await this.options.policies.readAll(credentials);
    const readable = await readableEntities(
      this.options.permissions,
      credentials,
      all.map(e => e.entityRef),
    );
    const configured = all.filter(
      e => e.result.status === 'configured' && readable.has(e.entityRef),
    );
    const facts = await this.options.aggregates.getRunFacts(
      configured.map(e => e.entityRef),
    );
    return configured
      .map(e => {
        const policy = (
          e.result as Extract<typeof e.result, { status: 'configured' }>
        ).policy;
        const summary = computeEntitySummary({
          entityRef: e.entityRef,
          policy: e.result,
          facts: facts.get(e.entityRef) ?? {},
          now,
          dispatchIntervalMs: this.options.dispatchIntervalMs,
        });
        const last = summary.lastRun;
        return {
          entityRef: e.entityRef,
          owner: ownerRefOf(e.entity) ?? null,
          agent: policy.agent,
          target: policy.target,
          engine: policy.engine ?? null,
          schedule: policy.schedule?.source ?? null,
          health: summary.health,
          lastRun: last
            ? { id: last.id, status: last.status, finishedAt: last.finishedAt }
            : null,
        };
      })
      .sort(
        (a, b) =>
          a.agent.localeCompare(b.agent) ||
          a.target.localeCompare(b.target) ||
          a.entityRef.localeCompare(b.entityRef),
      );
  }
}
