import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type {
  AgentSnapshot,
  CreateRestoreRequest,
  RestoreDestination,
  RestoreRequest,
  RestoreStatus,
} from '@safekeep/plugin-backups-common';
import type { PolicyContext } from '../policies/resolveEntityPolicy';
import { resolveEntityPolicy } from '../policies/resolveEntityPolicy';
import { ownerRefOf } from '../policies/ownerRef';
import type { RestoreAgents } from '../agent/RestoreAgent';
import { consistencyGroupOf } from '../groups/consistencyGroup';
import { findGroupMembers } from './group/findGroupMembers';
import { previewGroupRestore } from './group/previewGroupRestore';
import type { RestoreNotifier } from './RestoreNotifier';
import { previewTargetRestore } from './preview/previewTargetRestore';
import { requireDeclaredDestination } from './requireDeclaredDestination';
import type { RestoresStore, StoredRestore } from './RestoresStore';
import { destinationEntityRef } from './destinationEntityRef';
import { toRestoreRequest } from './toRestoreRequest';

export interface RestoreServiceSettings {
  expireAfterHours: number;
  previewTimeoutSeconds: number;
}

/** Requests, decisions and reads of restores; the router only parses, authorizes and answers. */
export class RestoreRequestService {
  constructor(
    private readonly options: {
      store: RestoresStore;
      agents: RestoreAgents;
      catalog: CatalogService;
      policyContext: PolicyContext;
      notifier: RestoreNotifier;
      settings: RestoreServiceSettings;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async entity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<Entity> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity)
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    return entity;
  }

  /** A 404 when the catalog has no such entity (for routes that read only the history). */
  async requireEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void> {
    await this.entity(entityRef, credentials);
  }

  /** The policy of a single-target entity, or a 400 that lists what is wrong. */
  private policyOf(entity: Entity) {
    const entityRef = stringifyEntityRef(entity);
    const result = resolveEntityPolicy(entity, this.options.policyContext);
    if (result.status === 'unconfigured') {
      throw new InputError(
        `${entityRef} has no backup policy, so nothing can be restored: add the safekeep.io/agent and safekeep.io/target annotations`,
      );
    }
    if (result.status === 'invalid') {
      throw new InputError(
        `${entityRef} has no valid backup policy: ${result.problems
          .map(p => `${p.annotation}: ${p.message}`)
          .join('; ')}`,
      );
    }
    const agent = this.options.agents.get(result.policy.agent);
    if (!agent)
      throw new InputError(
        `Agent "${result.policy.agent}" is not in app-config backups.agents`,
      );
    return { policy: result.policy, agent };
  }

  /**
   * The target of another catalog entity that a restore writes into (destination kind `entity`):
   * a staging copy, or the same service on another host. Its policy names agent and target.
   */
  private async otherEntityTarget(
    source: { entity: Entity; policy: { agent: string; target: string } },
    destination: RestoreDestination,
    credentials: BackstageCredentials,
  ) {
    const entityRef = destinationEntityRef(destination.entityRef!);
    if (entityRef === stringifyEntityRef(source.entity)) {
      throw new InputError(
        `destination.entityRef is ${entityRef} itself: restore in place instead (destination kind "in-place")`,
      );
    }
    const destinationEntity = await this.entity(entityRef, credentials);
    const { policy, agent } = this.policyOf(destinationEntity);
    if (
      source.policy.agent === policy.agent &&
      source.policy.target === policy.target
    ) {
      throw new InputError(
        `${entityRef} backs up the same target ("${policy.target}" on agent "${policy.agent}"): restore in place instead`,
      );
    }
    return {
      entityRef,
      policy,
      agent,
      ownerRef: ownerRefOf(destinationEntity),
    };
  }

  /** Complete snapshots of the entity's target, newest first, as its agent lists them. */
  async listSnapshots(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<AgentSnapshot[]> {
    const { policy, agent } = this.policyOf(
      await this.entity(entityRef, credentials),
    );
    return agent.listSnapshots(policy.target);
  }

  /**
   * Records a request with its preview. The preview asks the agent to verify the snapshot
   * first; with any refusal the request is stored as `refused` and can never be approved.
   */
  async create(
    entityRef: string,
    credentials: BackstageCredentials,
    requestedBy: string,
    body: CreateRestoreRequest,
  ): Promise<RestoreRequest> {
    const { store, settings } = this.options;
    const entity = await this.entity(entityRef, credentials);
    const destination: RestoreDestination = body.destination ?? {
      kind: 'in-place',
    };
    const timeoutMs = settings.previewTimeoutSeconds * 1000;
    const now = this.now();
    const expiresAt = new Date(
      now.getTime() + settings.expireAfterHours * 3_600_000,
    );
    const group = consistencyGroupOf(entity);
    // A group restores from one backup window, a single target from one snapshot: each names its own.
    if (group && body.snapshotId !== undefined)
      throw new InputError(
        `${entityRef} is restored as consistency group "${group}", from a backup window: give groupWindow (a UTC time such as 20260118T040000Z), not snapshotId`,
      );
    if (!group && body.groupWindow !== undefined)
      throw new InputError(
        `groupWindow names the backup window of a System's consistency group, and ${entityRef} has none: give snapshotId`,
      );

    let stored: StoredRestore;
    // Owners of the entity a restore writes into, when it is another one: they hear of it too.
    const destinationOwners: Array<string | undefined> = [];
    if (group) {
      const members = await findGroupMembers(
        this.options.catalog,
        entity,
        credentials,
        this.options.policyContext,
      );
      const preview = await previewGroupRestore({
        systemRef: stringifyEntityRef(entity),
        groupName: group,
        members,
        agents: this.options.agents,
        windowId: body.groupWindow,
        destination,
        timeoutMs,
        medianDowntimeMs: (agent, target) =>
          store.medianDowntimeMs(agent, target),
      });
      stored = await store.createRequest({
        entityRef: stringifyEntityRef(entity),
        agent: null,
        target: null,
        snapshotId: preview.snapshotId,
        destination,
        force: true,
        reason: body.reason,
        requestedBy,
        preview: preview.preview,
        groupState: preview.groupState,
        now,
        expiresAt,
      });
    } else {
      const { policy, agent } = this.policyOf(entity);
      if (destination.kind === 'other' && destination.path)
        await requireDeclaredDestination(
          agent,
          policy.target,
          destination.path,
        );
      const into =
        destination.kind === 'entity'
          ? await this.otherEntityTarget(
              { entity, policy },
              destination,
              credentials,
            )
          : undefined;
      if (into) destinationOwners.push(into.ownerRef);
      // The restore runs where it writes: another entity's agent and target, or the entity's own.
      const runsOn = into
        ? { agent: into.policy.agent, target: into.policy.target }
        : { agent: policy.agent, target: policy.target };
      const preview = await previewTargetRestore({
        agent,
        target: policy.target,
        engine: policy.engine ?? null,
        snapshotId: body.snapshotId,
        destination,
        ...(into
          ? {
              into: {
                agent: into.agent,
                target: into.policy.target,
                engine: into.policy.engine ?? null,
              },
            }
          : {}),
        medianDowntimeMs: await store.medianDowntimeMs(
          runsOn.agent,
          runsOn.target,
        ),
        timeoutMs,
      });
      stored = await store.createRequest({
        entityRef: stringifyEntityRef(entity),
        agent: runsOn.agent,
        target: runsOn.target,
        snapshotId: preview.snapshotId,
        destination: into
          ? {
              kind: 'entity',
              entityRef: into.entityRef,
              agent: into.policy.agent,
              target: into.policy.target,
              from: policy.target,
            }
          : destination,
        force: preview.force,
        reason: body.reason,
        requestedBy,
        preview: preview.preview,
        groupState: null,
        now,
        expiresAt,
      });
    }
    if (stored.status === 'pending')
      await this.options.notifier.waiting(stored, [
        ownerRefOf(entity),
        ...destinationOwners,
      ]);
    return toRestoreRequest(stored);
  }

  async get(id: string): Promise<StoredRestore | undefined> {
    return this.options.store.getRequest(id);
  }

  async list(filter: {
    status?: RestoreStatus;
    entityRef?: string;
    limit: number;
  }): Promise<StoredRestore[]> {
    return this.options.store.listRequests(filter);
  }

  /**
   * Approves or rejects. The router has checked the approve permission; the requester is
   * refused here and again by the database's conditional update and CHECK constraint.
   */
  async decide(
    id: string,
    decidedBy: string,
    approve: boolean,
    comment: string,
  ): Promise<RestoreRequest> {
    const request = await this.options.store.getRequest(id);
    if (!request) throw new NotFoundError(`No restore request ${id}`);
    if (request.requestedBy === decidedBy) {
      throw new NotAllowedError(
        `You asked for this restore, so someone else must ${
          approve ? 'approve' : 'reject'
        } it`,
      );
    }
    if (request.status === 'refused') {
      throw new ConflictError(
        `This request was refused at preview and can never be approved: ${request.preview.refusals.join(
          '; ',
        )}`,
      );
    }
    const result = await this.options.store.decide(id, {
      decidedBy,
      approve,
      comment,
      now: this.now(),
    });
    if ('refused' in result) {
      switch (result.refused) {
        case 'missing':
          throw new NotFoundError(`No restore request ${id}`);
        case 'own-request':
          throw new NotAllowedError(
            `You asked for this restore, so someone else must ${
              approve ? 'approve' : 'reject'
            } it`,
          );
        case 'expired':
          throw new ConflictError(
            `This request expired at ${request.expiresAt} and can no longer be decided; ask again if it is still needed`,
          );
        default:
          throw new ConflictError(
            `This request is ${
              result.request?.status ?? request.status
            }, not pending: it was already decided`,
          );
      }
    }
    await this.options.notifier.decided(result.decided);
    return toRestoreRequest(result.decided);
  }

  /** The requester takes a pending request back, before anyone decided on it. */
  async withdraw(id: string, user: string): Promise<RestoreRequest> {
    const { store } = this.options;
    const request = await store.getRequest(id);
    if (!request) throw new NotFoundError(`No restore request ${id}`);
    if (request.requestedBy !== user) {
      throw new NotAllowedError(
        `Only ${request.requestedBy}, who asked for this restore, can withdraw it; reject it with a comment instead`,
      );
    }
    const result = await store.withdraw(id, user, this.now());
    if (!result.withdrawn) {
      throw new ConflictError(
        `This request is ${
          result.request?.status ?? request.status
        }, not pending: only a request nobody decided on yet can be withdrawn`,
      );
    }
    return toRestoreRequest(result.request!);
  }
}
