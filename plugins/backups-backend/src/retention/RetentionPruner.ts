import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  AgentJob,
  PolicyParseResult,
} from '@safekeep/plugin-backups-common';
import { agentErrorText } from '../agent/AgentError';
import type { AgentRegistry } from '../agent/AgentRegistry';
import { followAgentJob } from '../agent/followAgentJob';
import type { BackupsStore, StoredRun } from '../runs/BackupsStore';
import type { PrunesStore, StoredPrune } from './PrunesStore';
import { planPrunes } from './planPrunes';
import { pruneOutcomeFromDetails } from './pruneDetails';

export interface RetentionPrunerLimits {
  /** A prune marked running without a job id this long ago was being started by a backend that stopped. */
  startGraceMs: number;
  /** A running prune whose agent has not answered for this long fails (outcome unknown). */
  agentSilenceMs: number;
  /** A pending prune the agent keeps refusing (another job of the target) this long fails. */
  agentBusyMs: number;
}

const DEFAULT_LIMITS: RetentionPrunerLimits = {
  startGraceMs: 2 * 60_000,
  agentSilenceMs: 10 * 60_000,
  agentBusyMs: 60 * 60_000,
};

/**
 * Applies the entity's retention policies after each successful run: one agent `prune` job per
 * tier (`POST /v1/prune`), recorded in backup_prunes with the snapshot ids removed. A prune that
 * fails is recorded and logged; it never changes the run's outcome. Stateless between ticks like
 * the runner: agents allow one job per target, so prunes wait while the target is busy.
 */
export class RetentionPruner {
  private readonly limits: RetentionPrunerLimits;

  constructor(
    private readonly options: {
      prunes: PrunesStore;
      runs: Pick<BackupsStore, 'findActiveRun'>;
      agents: AgentRegistry;
      /** The entity's current policy, read with the plugin's own credentials; undefined when it is gone. */
      policyOf: (entityRef: string) => Promise<PolicyParseResult | undefined>;
      logger: LoggerService;
      now?: () => Date;
      limits?: Partial<RetentionPrunerLimits>;
      /** Snapshots of a target's tier flagged by scheduled verify: never counted as good ones. */
      failedVerify?: (
        agent: string,
        target: string,
        tier: string,
      ) => Promise<string[]>;
    },
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Records the prunes a succeeded run calls for (started by the next tick). */
  async planAfterSuccess(run: StoredRun): Promise<StoredPrune[]> {
    if (run.status !== 'succeeded') return [];
    const policy = await this.options.policyOf(run.entityRef);
    // The policy of now, not of when the run was queued: a changed annotation counts at once.
    if (policy?.status !== 'configured') return [];
    const planned = planPrunes(run, policy.policy);
    const created = await this.options.prunes.createPrunes(planned, this.now());
    for (const prune of created.filter(p => p.status === 'failed')) {
      this.options.logger.warn(
        `Retention of ${prune.entityRef} not applied: ${prune.error}`,
      );
    }
    return created;
  }

  /** One pass: follow running prunes, then start pending ones whose target is free. */
  async tick(): Promise<void> {
    const running = await this.options.prunes.listPrunesInStatus('running');
    for (const prune of running) {
      await this.guard(prune, 'follow', () => this.follow(prune));
    }
    const busyTargets = new Set(
      (await this.options.prunes.listPrunesInStatus('running')).map(
        p => `${p.agent}/${p.target}`,
      ),
    );
    for (const prune of await this.options.prunes.listPrunesInStatus(
      'pending',
    )) {
      const key = `${prune.agent}/${prune.target}`;
      if (busyTargets.has(key)) continue;
      const started = await this.guard(prune, 'start', () => this.start(prune));
      if (started) busyTargets.add(key);
    }
  }

  private async guard(
    prune: StoredPrune,
    what: string,
    fn: () => Promise<boolean | void>,
  ): Promise<boolean> {
    try {
      return (await fn()) === true;
    } catch (error) {
      this.options.logger.error(
        `Could not ${what} retention prune ${prune.id} of ${prune.entityRef}`,
        error as Error,
      );
      return false;
    }
  }

  private async fail(prune: StoredPrune, error: string): Promise<void> {
    if (
      await this.options.prunes.finishPrune(
        prune.id,
        { status: 'failed', error },
        this.now(),
      )
    ) {
      this.options.logger.warn(
        `Retention prune of ${prune.entityRef} (tier ${prune.tier}) failed: ${error}`,
      );
    }
  }

  /** True when the agent took the job. */
  private async start(prune: StoredPrune): Promise<boolean> {
    const { prunes, runs, agents } = this.options;
    // A backup of the target is running: the agent would refuse; wait for it.
    if (
      (await runs.findActiveRun(prune.agent, prune.target))?.status ===
      'running'
    )
      return false;
    const client = agents.get(prune.agent);
    if (!client) {
      await this.fail(
        prune,
        `Agent "${prune.agent}" is no longer in app-config backups.agents.`,
      );
      return false;
    }
    if (!(await prunes.claimPrune(prune.id, this.now()))) return false;
    try {
      const result = await client.startPrune(
        prune.target,
        prune.tier,
        prune.retention,
        (await this.options.failedVerify?.(
          prune.agent,
          prune.target,
          prune.tier,
        )) ?? [],
      );
      if (result.kind === 'busy') {
        const waitedMs =
          this.now().getTime() - new Date(prune.createdAt).getTime();
        if (waitedMs > this.limits.agentBusyMs) {
          await this.fail(
            prune,
            `Agent "${prune.agent}" kept running other jobs of target "${prune.target}" for over an hour; this prune was given up (the next successful backup asks again). Agent said: ${result.message}`,
          );
        } else {
          await prunes.returnPruneToPending(prune.id, this.now());
        }
        return false;
      }
      await prunes.recordPruneStarted(prune.id, result.job.id, this.now());
      if (result.job.state !== 'running') await this.record(prune, result.job);
      return true;
    } catch (error) {
      await this.fail(
        prune,
        agentErrorText(error, 'Starting the prune failed'),
      );
      return false;
    }
  }

  private async follow(prune: StoredPrune): Promise<void> {
    const followUp = await followAgentJob(
      {
        jobId: prune.agentJobId,
        agent: this.options.agents.get(prune.agent),
        askedAt: prune.startedAt ?? prune.createdAt,
        lastHeardAt: prune.updatedAt,
        now: this.now(),
        limits: this.limits,
      },
      {
        what: 'prune',
        jobLabel: 'prune job',
        agentName: prune.agent,
        next: 'The next successful backup prunes again.',
      },
    );
    // Waiting: not lost yet, the next tick looks again.
    if (followUp.kind === 'lost') await this.fail(prune, followUp.reason);
    if (followUp.kind === 'found') await this.record(prune, followUp.job);
  }

  private async record(prune: StoredPrune, job: AgentJob): Promise<void> {
    if (job.state === 'running') {
      await this.options.prunes.recordPruneSeen(prune.id, this.now());
      return;
    }
    if (job.state === 'failed') {
      await this.fail(
        prune,
        job.error?.trim() || 'the agent reported a failure without a reason',
      );
      return;
    }
    const outcome = pruneOutcomeFromDetails(job.details, prune.tier);
    if (outcome.status === 'failed') {
      await this.fail(prune, outcome.error);
      return;
    }
    await this.options.prunes.finishPrune(prune.id, outcome, this.now());
    this.options.logger.info(
      `Retention of ${prune.entityRef} (tier ${prune.tier}): removed ${
        outcome.pruned.length
      } snapshot(s)${
        outcome.pruned.length ? ` (${outcome.pruned.join(', ')})` : ''
      }, kept ${outcome.keptCount}`,
    );
  }
}
