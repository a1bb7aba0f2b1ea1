import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type {
  EntityBackupSummary,
  RunsPage,
  StartRunResponse,
} from '@safekeep/plugin-backups-common';
import { ActiveRunConflictError } from '../runs/ActiveRunConflictError';
import type { BackupsStore } from '../runs/BackupsStore';
import type {
  CatalogPolicyReader,
  EntityPolicyResult,
} from '../policies/CatalogPolicyReader';
import type { RestoresStore } from '../restores/RestoresStore';
import { computeEntitySummary } from '../summary/computeEntitySummary';
import { toBackupRun } from '../summary/toBackupRun';
import type { ConsistencyGroups } from '../groups/ConsistencyGroups';
import { consistencyGroupOf } from '../groups/consistencyGroup';
import type { VerificationsStore } from '../verify/VerificationsStore';
import { summarizeVerifications } from '../verify/summarizeVerifications';

/** What the REST API does for one entity; the router only parses, authorizes and answers. */
export class EntityBackupsService {
  constructor(
    private readonly options: {
      store: BackupsStore;
      policies: Pick<CatalogPolicyReader, 'readOne'>;
      dispatchIntervalMs: number;
      /** Systems with safekeep.io/consistency-group: summaries, runs and back-up-now of the group. */
      groups?: ConsistencyGroups;
      /** When the entity's restores last passed their check (summary.lastVerifiedRestoreAt). */
      restoreFacts?: Pick<RestoresStore, 'lastVerifiedRestoreAt'>;
      /** Scheduled verify results (summary.snapshotVerification). */
      verifications?: Pick<VerificationsStore, 'latestResults'>;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async entity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityPolicyResult> {
    const found = await this.options.policies.readOne(entityRef, credentials);
    if (!found)
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    return found;
  }

  async getSummary(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityBackupSummary> {
    const found = await this.entity(entityRef, credentials);
    const summary = await this.entitySummary(found);
    const { groups } = this.options;
    return groups && consistencyGroupOf(found.entity)
      ? groups.summarize(found, summary, credentials)
      : summary;
  }

  private async entitySummary(
    found: EntityPolicyResult,
  ): Promise<EntityBackupSummary> {
    const facts = await this.options.store.getEntityRunFacts(found.entityRef);
    const summary = computeEntitySummary({
      entityRef: found.entityRef,
      policy: found.result,
      facts,
      now: this.now(),
      dispatchIntervalMs: this.options.dispatchIntervalMs,
    });
    const { restoreFacts, verifications } = this.options;
    const snapshotVerification = verifications
      ? summarizeVerifications(
          await verifications.latestResults({ entityRef: found.entityRef }),
        )
      : undefined;
    const withVerify = snapshotVerification
      ? { ...summary, snapshotVerification }
      : summary;
    if (!restoreFacts) return withVerify;
    const verified = await restoreFacts.lastVerifiedRestoreAt([
      found.entityRef,
    ]);
    return {
      ...withVerify,
      lastVerifiedRestoreAt: verified[found.entityRef] ?? null,
    };
  }

  async listRuns(
    entityRef: string,
    credentials: BackstageCredentials,
    page: { limit: number; offset: number },
  ): Promise<RunsPage> {
    const found = await this.entity(entityRef, credentials);
    const { groups } = this.options;
    const { items, total } =
      groups && consistencyGroupOf(found.entity)
        ? await groups.listRuns(found.entityRef, page)
        : await this.options.store.listRuns(found.entityRef, page);
    return {
      items: items.map(toBackupRun),
      total,
      limit: page.limit,
      offset: page.offset,
    };
  }

  /** Queues a backup now. 400 without a valid policy, 409 while one of the target is queued or running. */
  async startRun(
    entityRef: string,
    credentials: BackstageCredentials,
    triggeredBy: string | null,
  ): Promise<StartRunResponse> {
    const found = await this.entity(entityRef, credentials);
    const { result } = found;
    const { groups } = this.options;
    if (
      groups &&
      consistencyGroupOf(found.entity) &&
      result.status === 'unconfigured'
    ) {
      return groups.startGroupRun(found, credentials, triggeredBy);
    }
    if (result.status === 'unconfigured') {
      throw new InputError(
        `${found.entityRef} has no backup policy: add the safekeep.io/agent and safekeep.io/target annotations`,
      );
    }
    if (result.status === 'invalid') {
      const problems = result.problems
        .map(p => `${p.annotation}: ${p.message}`)
        .join('; ');
      throw new InputError(
        `${found.entityRef} has no valid backup policy: ${problems}`,
      );
    }
    const { agent, target } = result.policy;
    const created = await this.options.store.createUserRun({
      entityRef: found.entityRef,
      agent,
      target,
      triggeredBy,
      now: this.now(),
    });
    if ('conflict' in created) {
      const active = created.conflict;
      throw new ActiveRunConflictError(
        `A backup of ${agent}/${target} is already ${active.status} (run ${
          active.id
        }${
          active.entityRef === found.entityRef ? '' : ` of ${active.entityRef}`
        }); wait for it to finish before starting another`,
        active.id,
      );
    }
    return { runId: created.created.id, status: created.created.status };
  }
}
