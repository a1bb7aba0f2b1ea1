import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANNOTATION_CONSISTENCY_GROUP,
  backupsRunCreatePermission,
  ConsistencyGroupMember,
  EntityBackupSummary,
  StartRunResponse,
} from '@safekeep/plugin-backups-common';
import type { RunAggregates } from '../aggregates/RunAggregates';
import { ActiveRunConflictError } from '../runs/ActiveRunConflictError';
import type { StoredRun } from '../runs/BackupsStore';
import type { GroupRunsStore } from './GroupRunsStore';
import type {
  CatalogPolicyReader,
  EntityPolicyResult,
} from '../policies/CatalogPolicyReader';
import { computeEntitySummary } from '../summary/computeEntitySummary';
import { byWorstHealth, consistencyGroupOf } from './consistencyGroup';

/**
 * Consistency groups: a System annotated `safekeep.io/consistency-group` covers the Resources
 * that are part of it (catalog relation partOf, which `spec.system` creates). Its summary shows
 * the members' health, worst first; backing it up queues every member's run together under one
 * group run id, and only when no member has a run queued or running.
 */
export class ConsistencyGroups {
  constructor(
    private readonly options: {
      policies: Pick<CatalogPolicyReader, 'readWhere'>;
      aggregates: Pick<RunAggregates, 'getRunFacts'>;
      groupRuns: GroupRunsStore;
      permissions: PermissionsService;
      dispatchIntervalMs: number;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The Resources that are part of the System, read with the caller's credentials. */
  async members(
    systemRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityPolicyResult[]> {
    const found = await this.options.policies.readWhere(
      { kind: 'resource', 'relations.partOf': systemRef },
      credentials,
    );
    return found.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
  }

  /** The System's summary with its group's members; their health stands in for a policy of its own. */
  async summarize(
    system: EntityPolicyResult,
    own: EntityBackupSummary,
    credentials: BackstageCredentials,
  ): Promise<EntityBackupSummary> {
    const name = consistencyGroupOf(system.entity)!;
    const members = await this.members(system.entityRef, credentials);
    const facts = await this.options.aggregates.getRunFacts(
      members.map(m => m.entityRef),
    );
    const now = this.now();
    const summaries = members
      .map(m =>
        computeEntitySummary({
          entityRef: m.entityRef,
          policy: m.result,
          facts: facts.get(m.entityRef) ?? {},
          now,
          dispatchIntervalMs: this.options.dispatchIntervalMs,
        }),
      )
      .sort(byWorstHealth);
    const group = {
      name,
      members: summaries.map(
        (s): ConsistencyGroupMember => ({
          entityRef: s.entityRef,
          health: s.health,
          healthReason: s.healthReason,
          lastSuccessAt: s.lastSuccess?.finishedAt ?? null,
        }),
      ),
    };
    // A System with a policy of its own keeps its own health; the group is extra information.
    if (own.health !== 'unconfigured') return { ...own, group };
    if (summaries.length === 0) {
      return {
        ...own,
        health: 'invalid',
        healthReason: `Consistency group "${name}" has no members.`,
        problems: [
          {
            annotation: ANNOTATION_CONSISTENCY_GROUP,
            value: name,
            message: `no Resource is part of ${system.entityRef}: set spec.system: ${system.entity.metadata.name} on the Resources the group covers`,
          },
        ],
        group,
      };
    }
    const worst = summaries[0];
    const attention = summaries.filter(s => s.health !== 'ok').length;
    const nextRuns = summaries
      .map(s => s.nextRunAt)
      .filter((t): t is string => !!t)
      .sort();
    return {
      ...own,
      // A member without a policy leaves the group unprotected: the group is invalid.
      health: worst.health === 'unconfigured' ? 'invalid' : worst.health,
      healthReason:
        attention === 0
          ? `All ${summaries.length} members of consistency group "${name}" are backed up.`
          : `${attention} of ${summaries.length} members of consistency group "${name}" need attention; the worst, ${worst.entityRef}: ${worst.healthReason}`,
      nextRunAt: nextRuns[0] ?? null,
      warnings: summaries.flatMap(s =>
        (s.warnings ?? []).map(w => `${s.entityRef}: ${w}`),
      ),
      group,
    };
  }

  listRuns(
    systemRef: string,
    page: { limit: number; offset: number },
  ): Promise<{ items: StoredRun[]; total: number }> {
    return this.options.groupRuns.listGroupRuns(systemRef, page);
  }

  /**
   * Backs the whole group up now: one queued run per member with a shared group run id, so
   * the runner starts them in the same tick. 400 when a member has no valid policy, 403 when
   * the caller may not back up a member, 409 while any member has a run queued or running.
   */
  async startGroupRun(
    system: EntityPolicyResult,
    credentials: BackstageCredentials,
    triggeredBy: string | null,
  ): Promise<StartRunResponse> {
    const name = consistencyGroupOf(system.entity)!;
    const members = await this.members(system.entityRef, credentials);
    if (members.length === 0) {
      throw new InputError(
        `Consistency group "${name}" of ${system.entityRef} has no members: set spec.system: ${system.entity.metadata.name} on its Resources`,
      );
    }
    const problems = members.flatMap(m => {
      if (m.result.status === 'unconfigured')
        return [
          `${m.entityRef} has no backup policy (add safekeep.io/agent and safekeep.io/target)`,
        ];
      if (m.result.status === 'invalid')
        return [
          `${m.entityRef}: ${m.result.problems
            .map(p => `${p.annotation}: ${p.message}`)
            .join('; ')}`,
        ];
      return [];
    });
    if (problems.length > 0) {
      throw new InputError(
        `Consistency group "${name}" cannot be backed up until every member has a valid policy: ${problems.join(
          ' | ',
        )}`,
      );
    }
    const decisions = await this.options.permissions.authorize(
      members.map(m => ({
        permission: backupsRunCreatePermission,
        resourceRef: m.entityRef,
      })),
      { credentials },
    );
    const denied = members
      .filter((_, i) => decisions[i].result !== AuthorizeResult.ALLOW)
      .map(m => m.entityRef);
    if (denied.length > 0) {
      throw new NotAllowedError(
        `You may not start a backup of ${denied.join(', ')} (permission ${
          backupsRunCreatePermission.name
        }), so not of consistency group "${name}"`,
      );
    }
    const created = await this.options.groupRuns.createGroupRuns({
      groupRef: system.entityRef,
      members: members.map(m => {
        const policy = (
          m.result as Extract<
            EntityPolicyResult['result'],
            { status: 'configured' }
          >
        ).policy;
        return {
          entityRef: m.entityRef,
          agent: policy.agent,
          target: policy.target,
        };
      }),
      triggeredBy,
      now: this.now(),
    });
    if ('conflicts' in created) {
      const list = created.conflicts
        .map(r => `${r.entityRef} (run ${r.id}, ${r.status})`)
        .join(', ');
      throw new ActiveRunConflictError(
        `Consistency group "${name}" cannot start while a member has a backup queued or running: ${list}; wait for it to finish`,
        created.conflicts[0].id,
      );
    }
    return {
      runId: created.groupRunId,
      status: 'queued',
      memberRuns: created.created.map(r => ({
        entityRef: r.entityRef,
        runId: r.id,
      })),
    };
  }
}
