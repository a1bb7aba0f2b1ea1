import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { AgentJob } from '@safekeep/plugin-backups-common';
import { agentErrorText } from '../agent/AgentError';
import { followAgentJob } from '../agent/followAgentJob';
import type { RestoreAgent, RestoreAgents } from '../agent/RestoreAgent';
import { GroupRestoreRunner } from './GroupRestoreRunner';
import type { RestoreNotifier } from './RestoreNotifier';
import type {
  RestoreFinish,
  RestoreStep,
  RestoreSteps,
  StartedStep,
} from './RestoreSteps';
import type { RestoresStore, StoredRestore } from './RestoresStore';
import { restoreJobOutcome } from './restoreJobOutcome';

export interface RestoreExecutorLimits {
  /** A running request without an agent job this long after it started was being started by a backend that stopped. */
  startGraceMs: number;
  /** A running request whose agent has not answered for this long fails (outcome unknown). */
  agentSilenceMs: number;
}

export const DEFAULT_RESTORE_LIMITS: RestoreExecutorLimits = {
  startGraceMs: 2 * 60_000,
  agentSilenceMs: 10 * 60_000,
};

/** Why a scratch destination stays after a drill: an agent without POST /v1/destinations/drop. */
export const SCRATCH_LEFT_NOTE =
  'The scratch destination was left in place: this agent cannot drop it (see docs/restore.md). The next drill overwrites it.';

/**
 * Carries out approved restores and drills through their agents and follows them to the end.
 * Stateless between ticks: a restarted backend (or another replica) carries on from the
 * database, and its first tick reconciles what was running. Group restores are the
 * GroupRestoreRunner's, on the steps this executor shares with it.
 */
export class RestoreExecutor implements RestoreSteps {
  private readonly limits: RestoreExecutorLimits;
  private readonly groups: GroupRestoreRunner;

  constructor(
    private readonly options: {
      store: RestoresStore;
      agents: RestoreAgents;
      logger: LoggerService;
      notifier: RestoreNotifier;
      auditor?: AuditorService;
      /** The owner group of an entity, for drill failure notices. */
      ownerOf?: (entityRef: string) => Promise<string | undefined>;
      now?: () => Date;
      limits?: Partial<RestoreExecutorLimits>;
    },
  ) {
    this.limits = { ...DEFAULT_RESTORE_LIMITS, ...options.limits };
    this.groups = new GroupRestoreRunner({
      store: options.store,
      agents: options.agents,
      logger: options.logger,
      steps: this,
      now: () => this.now(),
    });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** One pass: expire what waited too long, follow running restores, start approved ones. */
  async tick(): Promise<void> {
    for (const expired of await this.options.store.expireOverdue(this.now())) {
      await this.options.notifier.expired(expired);
    }
    for (const request of await this.options.store.listInStatus('running')) {
      await this.guard(request, 'follow', () =>
        request.groupState
          ? this.groups.step(request)
          : this.followSingle(request),
      );
    }
    for (const request of await this.options.store.listInStatus('approved')) {
      await this.guard(request, 'start', () => this.start(request));
    }
  }

  private async guard(
    request: StoredRestore,
    what: string,
    fn: () => Promise<void>,
  ): Promise<void> {
    try {
      await fn();
    } catch (error) {
      this.options.logger.error(
        `Could not ${what} restore ${request.id} of ${request.entityRef}`,
        error as Error,
      );
    }
  }

  private destinationText(request: StoredRestore): string {
    const { destination } = request;
    if (destination.kind === 'other' && destination.path)
      return `${destination.path} (target ${request.target})`;
    if (destination.kind === 'entity')
      return `target ${request.target} on agent ${request.agent} (${destination.entityRef})`;
    return `target ${request.target}`;
  }

  // ---- starting -------------------------------------------------------------------------

  private async start(approved: StoredRestore): Promise<void> {
    const claimed = await this.options.store.claimApproved(
      approved.id,
      this.now(),
    );
    if (!claimed) return;
    await this.audit('restore-run-start', claimed);
    if (claimed.groupState) {
      await this.groups.step(claimed);
      return;
    }
    const agent = this.options.agents.get(claimed.agent ?? '');
    if (!agent) {
      await this.finish(claimed, {
        status: 'failed',
        error: `Agent "${claimed.agent}" is not in app-config backups.agents; nothing was restored.`,
      });
      return;
    }
    const step: RestoreStep = {
      agent,
      target: claimed.target!,
      snapshotId: claimed.snapshotId,
      destination:
        claimed.destination.kind === 'other'
          ? claimed.destination.path
          : undefined,
      from:
        claimed.destination.kind === 'entity'
          ? claimed.destination.from
          : undefined,
      force: claimed.force,
    };
    const started = await this.startStep(claimed, step);
    if (started.kind === 'busy') {
      await this.options.store.returnToApproved(
        claimed.id,
        started.phase,
        this.now(),
      );
    } else if (started.kind === 'failed') {
      await this.finish(claimed, { status: 'failed', error: started.error });
    } else {
      await this.options.store.recordJobStarted(
        claimed.id,
        started.job.id,
        started.job.phase,
        this.now(),
      );
      if (started.job.state !== 'running')
        await this.finishSingle(
          { ...claimed, agentJobId: started.job.id },
          started.job,
        );
    }
  }

  async startStep(
    request: StoredRestore,
    step: RestoreStep,
  ): Promise<StartedStep> {
    try {
      const result = await step.agent.startRestore({
        target: step.target,
        snapshotId: step.snapshotId,
        ...(step.force ? { force: true } : {}),
        ...(step.destination ? { destination: step.destination } : {}),
        ...(step.from ? { from: step.from } : {}),
      });
      if (result.kind === 'busy') {
        return {
          kind: 'busy',
          phase: `waiting: agent "${step.agent.name}" is running another job (${result.runningJobId}) of target "${step.target}"`,
        };
      }
      this.options.logger.info(
        `Restore ${request.id} of ${request.entityRef}: agent job ${result.job.id} started`,
      );
      return { kind: 'started', job: result.job };
    } catch (error) {
      return {
        kind: 'failed',
        error: `The agent did not start the restore, nothing was changed: ${agentErrorText(
          error,
        )}`,
      };
    }
  }

  // ---- following ------------------------------------------------------------------------

  /** The job of a running request, or undefined when it failed the request or must wait. */
  async poll(
    request: StoredRestore,
    agent: RestoreAgent | undefined,
  ): Promise<AgentJob | undefined> {
    const now = this.now();
    const followUp = await followAgentJob(
      {
        jobId: request.agentJobId,
        agent,
        askedAt: request.startedAt,
        lastHeardAt:
          request.agentSeenAt ?? request.startedAt ?? request.requestedAt,
        now,
        limits: this.limits,
      },
      {
        what: 'restore',
        jobLabel: 'restore job',
        agentName: agent?.name ?? request.agent ?? '',
        next: `It may have stopped midway. Check ${this.destinationText(
          request,
        )} before using it, and ask again.`,
      },
    );
    if (followUp.kind === 'waiting') {
      if (followUp.warning)
        this.options.logger.warn(`Restore ${request.id}: ${followUp.warning}`);
      return undefined;
    }
    if (followUp.kind === 'lost') {
      await this.finish(request, { status: 'failed', error: followUp.reason });
      return undefined;
    }
    if (followUp.job.state === 'running') {
      await this.options.store.recordProgress(
        request.id,
        followUp.job.phase,
        now,
      );
      return undefined;
    }
    return followUp.job;
  }

  private async followSingle(request: StoredRestore): Promise<void> {
    const job = await this.poll(
      request,
      this.options.agents.get(request.agent ?? ''),
    );
    if (job) await this.finishSingle(request, job);
  }

  private async finishSingle(
    request: StoredRestore,
    job: AgentJob,
  ): Promise<void> {
    const outcome = restoreJobOutcome(job, {
      containersToStop: request.preview.containersToStop,
      destination: this.destinationText(request),
    });
    let check = outcome.check;
    // Only a drill whose restore wrote there (it has a check) drops its scratch: one refused
    // before writing may have found someone's data in it.
    if (request.drill && check) {
      check = {
        ...check,
        details: { ...check.details, scratch: await this.dropScratch(request) },
      };
    }
    await this.finish(request, {
      status: outcome.ok ? 'succeeded' : 'failed',
      check,
      error: outcome.error,
    });
  }

  /** Asks the agent to remove a drill's scratch destination; what happened, for the record. */
  private async dropScratch(
    request: StoredRestore,
  ): Promise<Record<string, unknown>> {
    const destination = request.destination.path;
    const agent = this.options.agents.get(request.agent ?? '');
    if (!agent?.dropDestination || !destination)
      return { destination, removed: false, note: SCRATCH_LEFT_NOTE };
    try {
      const { message } = await agent.dropDestination({
        target: request.target!,
        destination,
      });
      return { destination, removed: true, note: message };
    } catch (error) {
      const reason = agentErrorText(error);
      this.options.logger.warn(
        `Restore drill ${request.id}: the scratch destination ${destination} was not removed: ${reason}`,
      );
      return {
        destination,
        removed: false,
        note: `The scratch destination was left in place: ${reason}`,
      };
    }
  }

  // ---- finishing ------------------------------------------------------------------------

  async finish(request: StoredRestore, outcome: RestoreFinish): Promise<void> {
    const finishedAt = this.now();
    const done = await this.options.store.finishRequest(request.id, {
      status: outcome.status,
      finishedAt,
      phase: outcome.status === 'succeeded' ? 'done' : 'failed',
      check: outcome.check ?? null,
      error: outcome.error ?? null,
      groupState: outcome.groupState,
    });
    if (!done) return;
    const finished = (await this.options.store.getRequest(request.id))!;
    this.options.logger.info(
      `Restore ${finished.id} of ${finished.entityRef} ${finished.status}`,
    );
    await this.audit(
      'restore-run',
      finished,
      finished.status === 'failed'
        ? new Error(finished.error ?? 'restore failed')
        : undefined,
    );
    const owner =
      finished.drill && finished.status === 'failed'
        ? await this.options.ownerOf?.(finished.entityRef)
        : undefined;
    await this.options.notifier.finished(finished, owner);
  }

  private async audit(
    eventId: string,
    request: StoredRestore,
    error?: Error,
  ): Promise<void> {
    const { auditor } = this.options;
    if (!auditor) return;
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'high',
      meta: {
        requestId: request.id,
        entityRef: request.entityRef,
        snapshotId: request.snapshotId,
        drill: request.drill,
        requestedBy: request.requestedBy,
        decidedBy: request.decidedBy,
        status: request.status,
        durationMs: request.durationMs,
      },
    });
    if (error) await event.fail({ error });
    else await event.success();
  }
}
