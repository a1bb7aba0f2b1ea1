import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { previousScheduledTime } from '@safekeep/plugin-backups-common';
import { agentErrorText } from '../agent/AgentError';
import type { AgentRegistry } from '../agent/AgentRegistry';
import type { TierVerifySchedule } from '../config/verifyConfigSchema';
import type { ConfiguredPolicy } from '../policies/CatalogPolicyReader';
import { inVerifySubset } from './inVerifySubset';
import type {
  StoredVerification,
  VerificationsStore,
} from './VerificationsStore';
import { verifyFailedNotice } from './verifyNotice';

/**
 * Scheduled verify: at each slot of a tier's schedule (`backups.verify.<tier>`), every
 * configured entity's snapshots in that tier, or the round's rotating part of them, are read
 * back by the agent (`POST /v1/verify` with the tier) one at a time per target; each result is
 * recorded, a failure flags the snapshot (retention never counts it, the entity tab shows it)
 * and its owners are told once. Runs as one global task, like the dispatcher.
 */
export class VerifyScheduler {
  constructor(
    private readonly options: {
      tiers: Record<string, TierVerifySchedule>;
      policies: { readConfigured(): Promise<ConfiguredPolicy[]> };
      store: VerificationsStore;
      agents: AgentRegistry;
      notifications: NotificationService;
      /** The entity's owner, for the notice; undefined when it has none. */
      ownerOf: (entityRef: string) => Promise<string | undefined>;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  async tick(): Promise<void> {
    if (Object.keys(this.options.tiers).length === 0) return;
    await this.plan();
    await this.follow();
    await this.start();
    await this.notify();
  }

  /** Records each due round and queues the snapshots it reads. */
  private async plan(): Promise<void> {
    const { tiers, policies, store, agents, logger } = this.options;
    const now = this.now();
    for (const { entityRef, policy } of await policies.readConfigured()) {
      const agent = agents.get(policy.agent);
      if (!agent) continue;
      for (const [tier, verify] of Object.entries(tiers)) {
        try {
          const slot = previousScheduledTime(verify.schedule, now);
          if (await store.hasRound(entityRef, tier, slot)) continue;
          const snapshots = (await agent.listSnapshots(policy.target)).filter(
            s => s.tier === tier,
          );
          const round = await store.countRounds(entityRef, tier);
          const chosen = snapshots
            .filter(s => inVerifySubset(s.id, verify.subset, round))
            .map(s => s.id);
          await store.planRound({
            entityRef,
            agent: policy.agent,
            target: policy.target,
            tier,
            slot,
            snapshotIds: chosen,
            total: snapshots.length,
            now,
          });
        } catch (error) {
          // Tried again next tick: the round is recorded only once it is planned.
          logger.warn(
            `Could not plan the scheduled verify of ${entityRef} in tier ${tier}: ${agentErrorText(
              error,
            )}`,
          );
        }
      }
    }
  }

  private async follow(): Promise<void> {
    const { store, agents } = this.options;
    for (const v of await store.listInStatus('running')) {
      const agent = agents.get(v.agent);
      try {
        const job = agent ? await agent.getJob(v.agentJobId!) : undefined;
        if (!job) {
          await store.finish(
            v.id,
            'error',
            'the agent no longer knows the verify job (it restarted?); the next round reads the snapshot again',
            this.now(),
          );
          continue;
        }
        if (job.state === 'running') continue;
        if (job.state === 'succeeded') {
          await store.finish(v.id, 'ok', null, this.now());
          continue;
        }
        // A verify that ran and found a mismatch carries its result; anything else could not check.
        const found =
          (job.details as { ok?: boolean } | undefined)?.ok === false;
        await store.finish(
          v.id,
          found ? 'failed' : 'error',
          job.error ?? 'the verify job failed without saying why',
          this.now(),
        );
        if (found)
          this.options.logger.warn(
            `Snapshot ${v.snapshotId} of ${v.entityRef} in tier ${v.tier} failed its scheduled verify: ${job.error}`,
          );
      } catch (error) {
        // Unreachable for now: looked at again next tick.
        this.options.logger.warn(
          `Could not follow the verify of ${v.snapshotId} of ${
            v.entityRef
          }: ${agentErrorText(error)}`,
        );
      }
    }
  }

  /** Starts queued verifies, one at a time per target (the agent allows one job per target). */
  private async start(): Promise<void> {
    const { store, agents } = this.options;
    const busy = new Set(
      (await store.listInStatus('running')).map(v => `${v.agent}/${v.target}`),
    );
    for (const v of await store.listInStatus('queued')) {
      const key = `${v.agent}/${v.target}`;
      if (busy.has(key)) continue;
      const agent = agents.get(v.agent);
      if (!agent) {
        await store.finish(
          v.id,
          'error',
          `agent "${v.agent}" is not in app-config backups.agents`,
          this.now(),
        );
        continue;
      }
      try {
        const started = await agent.startVerify(
          v.target,
          v.snapshotId,
          undefined,
          v.tier,
        );
        // The target runs another job (a backup): tried again next tick.
        if (started.kind === 'busy') continue;
        if (await store.markRunning(v.id, started.job.id, this.now()))
          busy.add(key);
      } catch (error) {
        await this.startFailed(v, error);
      }
    }
  }

  private async startFailed(v: StoredVerification, error: unknown) {
    // Gone since the round was planned (pruned): nothing to verify, not a failure.
    await this.options.store.finish(
      v.id,
      'error',
      agentErrorText(error),
      this.now(),
    );
  }

  /** Tells the owners of each newly failed snapshot, once per snapshot. */
  private async notify(): Promise<void> {
    const { store, notifications, ownerOf, logger } = this.options;
    for (const v of await store.unnotifiedFailures()) {
      const owner = await ownerOf(v.entityRef);
      try {
        if (owner)
          await notifications.send({
            recipients: { type: 'entity', entityRef: owner },
            payload: verifyFailedNotice(v),
          });
        else
          logger.warn(
            `Snapshot ${v.snapshotId} of ${v.entityRef} failed verify, but the entity has no owner: nobody was told`,
          );
        await store.markNotified(v, this.now());
      } catch (error) {
        logger.error(
          `Could not tell ${owner} that snapshot ${v.snapshotId} of ${v.entityRef} failed verify; will retry`,
          error as Error,
        );
      }
    }
  }
}
