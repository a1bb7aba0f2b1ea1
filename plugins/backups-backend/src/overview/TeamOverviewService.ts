import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  hasBackupAnnotations,
  TeamEntityRow,
  TeamOverview,
  UnprotectedResource,
} from '@safekeep/plugin-backups-common';
import type { RunAggregates } from '../aggregates/RunAggregates';
import { byWorstHealth } from '../groups/consistencyGroup';
import type {
  CatalogPolicyReader,
  EntityPolicyResult,
} from '../policies/CatalogPolicyReader';
import type { VerificationsStore } from '../verify/VerificationsStore';
import type { RestoresStore } from '../restores/RestoresStore';
import { readableEntities } from '../permissions/readableEntities';
import { computeEntitySummary } from '../summary/computeEntitySummary';
import { isDataResourceType } from './dataResourceTypes';

const DAY_MS = 86_400_000;
const WINDOW_DAYS = 30;

const titleOf = (e: EntityPolicyResult) => e.entity.metadata.title ?? null;
const rate = (succeeded: number, total: number) =>
  total > 0 ? succeeded / total : null;

/**
 * A team's backups at a glance (GET /overview?owner=): what the team owns with a policy (worst
 * first), the data-holding Resources it owns without one, counts, 30-day success rate and daily
 * trend, bytes stored and their growth. One catalog query for the team's entities, one batch
 * permission decision, then a handful of aggregate SQL queries for all entities together.
 */
export class TeamOverviewService {
  constructor(
    private readonly options: {
      policies: Pick<CatalogPolicyReader, 'readWhere'>;
      aggregates: RunAggregates;
      permissions: PermissionsService;
      dispatchIntervalMs: number;
      /** The restores' facts: last verified restore and drill health per entity. */
      restoreFacts?: Pick<
        RestoresStore,
        'lastVerifiedRestoreAt' | 'drillStatusCounts'
      >;
      /** Scheduled verify: how many snapshots of each entity are flagged. */
      verifications?: Pick<VerificationsStore, 'failedCounts'>;
      now?: () => Date;
    },
  ) {}

  async getOverview(
    owner: string,
    credentials: BackstageCredentials,
  ): Promise<TeamOverview> {
    const { policies, aggregates, permissions, restoreFacts } = this.options;
    const now = this.options.now?.() ?? new Date();
    const owned = await policies.readWhere(
      { 'relations.ownedBy': owner },
      credentials,
    );
    // Only what the caller may read counts; the rest is left out, not counted.
    const readable = await readableEntities(
      permissions,
      credentials,
      owned.map(e => e.entityRef),
    );
    const visible = owned.filter(e => readable.has(e.entityRef));

    const withPolicy = visible.filter(e => e.result.status !== 'unconfigured');
    const configured = withPolicy
      .filter(e => e.result.status === 'configured')
      .map(e => e.entityRef);
    const unprotected: UnprotectedResource[] = visible
      .filter(
        e =>
          e.entity.kind.toLowerCase() === 'resource' &&
          isDataResourceType(e.entity.spec?.type) &&
          !hasBackupAnnotations(e.entity),
      )
      .map(e => ({
        entityRef: e.entityRef,
        title: titleOf(e),
        type: String(e.entity.spec?.type),
      }))
      .sort((a, b) => a.entityRef.localeCompare(b.entityRef));

    const windowStart = new Date(now.getTime() - WINDOW_DAYS * DAY_MS);
    const firstDay = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) -
        (WINDOW_DAYS - 1) * DAY_MS,
    );
    const [facts, outcomes, daily, bytesThen, verified, drills, storageUsed] =
      await Promise.all([
        aggregates.getRunFacts(configured),
        aggregates.getOutcomeCounts(configured, windowStart),
        aggregates.getDailyOutcomes(configured, firstDay),
        aggregates.getBytesAsOf(configured, windowStart),
        restoreFacts
          ? restoreFacts.lastVerifiedRestoreAt(configured)
          : Promise.resolve({} as Record<string, string | null>),
        restoreFacts
          ? restoreFacts.drillStatusCounts(configured, now)
          : Promise.resolve({ overdue: 0, failing: 0 }),
        aggregates.getStorageUsed(configured),
      ]);
    const failingVerify = this.options.verifications
      ? await this.options.verifications.failedCounts(configured)
      : new Map<string, number>();

    const entities: TeamEntityRow[] = withPolicy
      .map(e => {
        const summary = computeEntitySummary({
          entityRef: e.entityRef,
          policy: e.result,
          facts: facts.get(e.entityRef) ?? {},
          now,
          dispatchIntervalMs: this.options.dispatchIntervalMs,
        });
        const counted = outcomes.get(e.entityRef);
        return {
          entityRef: e.entityRef,
          title: titleOf(e),
          health: summary.health,
          healthReason: summary.healthReason,
          lastSuccessAt: summary.lastSuccess?.finishedAt ?? null,
          bytesStored: summary.lastSuccess?.bytesStored ?? null,
          storageUsedBytes: storageUsed.get(e.entityRef) ?? null,
          successRate30d: counted
            ? rate(counted.succeeded, counted.succeeded + counted.failed)
            : null,
          lastVerifiedRestoreAt: verified[e.entityRef] ?? null,
          ...(failingVerify.has(e.entityRef)
            ? { snapshotsFailingVerify: failingVerify.get(e.entityRef) }
            : {}),
        };
      })
      .sort(byWorstHealth);

    const count = (health: TeamEntityRow['health']) =>
      entities.filter(e => e.health === health).length;
    let succeeded = 0;
    let finished = 0;
    for (const c of outcomes.values()) {
      succeeded += c.succeeded;
      finished += c.succeeded + c.failed;
    }
    const successTrend = Array.from({ length: WINDOW_DAYS }, (_, i) => {
      const day = new Date(firstDay.getTime() + i * DAY_MS)
        .toISOString()
        .slice(0, 10);
      const c = daily.get(day);
      return { day, succeeded: c?.succeeded ?? 0, failed: c?.failed ?? 0 };
    });
    const bytesStored = entities.reduce(
      (sum, e) => sum + (e.bytesStored ?? 0),
      0,
    );
    const storageUsedBytes = entities.reduce(
      (sum, e) => sum + (e.storageUsedBytes ?? 0),
      0,
    );
    const verifiedTimes = Object.values(verified)
      .filter((t): t is string => !!t)
      .sort();

    return {
      owner,
      generatedAt: now.toISOString(),
      counts: {
        protected: configured.length,
        unprotected: unprotected.length,
        ok: count('ok'),
        late: count('late'),
        stale: count('stale'),
        failing: count('failing'),
        never: count('never'),
        invalid: count('invalid'),
        drillsOverdue: drills.overdue,
        drillsFailing: drills.failing,
      },
      successRate30d: rate(succeeded, finished),
      successTrend,
      bytesStored,
      storageUsedBytes,
      // Growth: today's stored bytes against those of 30 days ago; unknown without backups then.
      growthBytes30d:
        bytesThen.size > 0
          ? bytesStored - [...bytesThen.values()].reduce((a, b) => a + b, 0)
          : null,
      lastVerifiedRestoreAt: verifiedTimes[verifiedTimes.length - 1] ?? null,
      entities,
      unprotected,
    };
  }
}
