import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AgentJob } from '@safekeep/plugin-backups-common';
import { agentErrorText } from '../agent/AgentError';
import type { AgentRegistry } from '../agent/AgentRegistry';
import { followAgentJob } from '../agent/followAgentJob';
import type { BackupsStore, RunOutcome, StoredRun } from './BackupsStore';
import { groupMemberJob } from './groupMemberJob';
import { observeJob } from './jobOutcome';

export interface RunExecutorLimits {
  /**
   * A run marked running without an agent job id this long ago was being started by a
   * backend that stopped; it is interrupted. Longer than any agent call may take.
   */
  startGraceMs: number;
  /** A running run whose agent has not answered for this long is interrupted. */
  agentSilenceMs: number;
  /** A queued run the agent keeps refusing (409: another job of the target) this long fails. */
  agentBusyMs: number;
}

export const DEFAULT_LIMITS: RunExecutorLimits = {
  startGraceMs: 2 * 60_000,
  agentSilenceMs: 10 * 60_000,
  agentBusyMs: 60 * 60_000,
};

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}

/**
 * Carries out runs: starts queued runs through their agent and follows running ones to the
 * end. Holds no state between ticks, so a restarted backend (or another replica) carries on
 * from the database; the first tick after start reconciles what was running.
 */
export class RunExecutor {
  private readonly limits: RunExecutorLimits;

  constructor(
    private readonly options: {
      store: BackupsStore;
      agents: AgentRegistry;
      logger: LoggerService;
      now?: () => Date;
      limits?: Partial<RunExecutorLimits>;
      /** Starts a consistency group's member runs as one agent job when it can (see GroupBackupStarter). */
      groupStarter?: {
        start(
          run: StoredRun,
          finish: (run: StoredRun, outcome: RunOutcome) => Promise<boolean>,
        ): Promise<boolean>;
      };
      /** Called with the stored run each time a run finishes (retention, metrics). Errors are logged. */
      onFinished?: Array<(run: StoredRun) => Promise<void>>;
    },
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** One pass: follow running runs first (frees targets), then start queued ones. */
  async tick(): Promise<void> {
    await this.followRunning();
    await this.startQueued();
  }

  async followRunning(): Promise<void> {
    const runs = await this.options.store.listRunsInStatus('running');
    for (const run of runs) {
      try {
        await this.follow(run);
      } catch (error) {
        this.options.logger.error(
          `Could not follow backup run ${run.id} of ${run.entityRef}`,
          error as Error,
        );
      }
    }
  }

  async startQueued(): Promise<void> {
    const runs = await this.options.store.listRunsInStatus('queued');
    for (const run of runs) {
      try {
        await this.start(run);
      } catch (error) {
        this.options.logger.error(
          `Could not start backup run ${run.id} of ${run.entityRef}`,
          error as Error,
        );
      }
    }
  }

  /** Finishes a run and tells the listeners; a listener's failure never changes the run. */
  private async finish(run: StoredRun, outcome: RunOutcome): Promise<boolean> {
    const finished = await this.options.store.finishRun(run.id, outcome);
    if (!finished || !this.options.onFinished?.length) return finished;
    const stored = await this.options.store.getRun(run.id);
    for (const listener of stored ? this.options.onFinished : []) {
      try {
        await listener(stored!);
      } catch (error) {
        this.options.logger.error(
          `After backup run ${run.id} of ${run.entityRef} finished`,
          error as Error,
        );
      }
    }
    return finished;
  }

  private async interrupt(run: StoredRun, message: string): Promise<void> {
    const now = this.now();
    await this.finish(run, {
      status: 'interrupted',
      finishedAt: now,
      durationMs: run.startedAt
        ? now.getTime() - new Date(run.startedAt).getTime()
        : null,
      error: message,
    });
    this.options.logger.warn(
      `Backup run ${run.id} of ${run.entityRef} interrupted: ${message}`,
    );
  }

  private async follow(run: StoredRun): Promise<void> {
    const followUp = await followAgentJob(
      {
        jobId: run.agentJobId,
        agent: this.options.agents.get(run.agent),
        askedAt: run.startedAt,
        lastHeardAt: run.agentSeenAt ?? run.startedAt ?? run.createdAt,
        now: this.now(),
        limits: this.limits,
      },
      {
        what: 'backup',
        jobLabel: 'job',
        agentName: run.agent,
        next: 'Check the agent and start a new backup.',
      },
    );
    if (followUp.kind === 'waiting') {
      if (followUp.warning)
        this.options.logger.warn(`Backup run ${run.id}: ${followUp.warning}`);
    } else if (followUp.kind === 'lost') {
      await this.interrupt(run, followUp.reason);
    } else {
      // The agent reported the job, running or finished.
      await this.record(run, followUp.job);
    }
  }

  private async record(run: StoredRun, job: AgentJob): Promise<void> {
    const now = this.now();
    // A member of an agent group job takes its own share of it.
    const own =
      job.subject.kind === 'group' ? groupMemberJob(job, run.target) : job;
    const observation = observeJob(run, own, now);
    if (observation.kind === 'running') {
      await this.options.store.recordProgress(run.id, observation, now);
      return;
    }
    await this.finish(run, observation.outcome);
    this.options.logger.info(
      `Backup run ${run.id} of ${run.entityRef} ${observation.outcome.status}`,
    );
  }

  private async start(queued: StoredRun): Promise<void> {
    const { store, agents, groupStarter } = this.options;
    if (
      queued.groupRunId &&
      groupStarter &&
      (await groupStarter.start(queued, (run, outcome) =>
        this.finish(run, outcome),
      ))
    )
      return;
    const claim = await store.claimQueuedRun(queued.id, this.now());
    if (!('claimed' in claim)) return;
    const run = claim.claimed;
    const client = agents.get(run.agent);
    if (!client) {
      await this.finish(run, {
        status: 'failed',
        finishedAt: this.now(),
        error: `Agent "${run.agent}" is not in app-config backups.agents; add it there or fix the entity's safekeep.io/agent annotation.`,
      });
      return;
    }
    try {
      const result = await client.startBackup(run.target);
      if (result.kind === 'busy') {
        await this.handleBusyAgent(run, result.runningJobId, result.message);
        return;
      }
      await store.recordJobStarted(
        run.id,
        result.job.id,
        result.job.phase,
        this.now(),
      );
      this.options.logger.info(
        `Backup run ${run.id} of ${run.entityRef} started as agent job ${result.job.id}`,
      );
      // A fast job may already be done; record it now rather than on the next tick.
      if (result.job.state !== 'running') {
        await this.record({ ...run, agentJobId: result.job.id }, result.job);
      }
    } catch (error) {
      const message = agentErrorText(error, 'Starting the backup failed');
      await this.finish(run, {
        status: 'failed',
        finishedAt: this.now(),
        error: message,
      });
      this.options.logger.warn(
        `Backup run ${run.id} of ${run.entityRef} could not start: ${message}`,
      );
    }
  }

  /**
   * The agent already runs a job of this target that is not ours (e.g. started from its CLI).
   * The run stays queued and is retried on the next tick; after `agentBusyMs` it fails.
   */
  private async handleBusyAgent(
    run: StoredRun,
    runningJobId: string,
    message: string,
  ): Promise<void> {
    const now = this.now();
    const waitedMs = now.getTime() - new Date(run.createdAt).getTime();
    if (waitedMs > this.limits.agentBusyMs) {
      await this.finish(run, {
        status: 'failed',
        finishedAt: now,
        error: `Agent "${
          run.agent
        }" kept running another job (${runningJobId}) of target "${
          run.target
        }" for over ${minutes(
          this.limits.agentBusyMs,
        )}; this run was given up. Agent said: ${message}`,
      });
      return;
    }
    await this.options.store.returnToQueue(
      run.id,
      `waiting: agent "${run.agent}" is running another job (${runningJobId}) of target "${run.target}"`,
      now,
    );
  }
}
