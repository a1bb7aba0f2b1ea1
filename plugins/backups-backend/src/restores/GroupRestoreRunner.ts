import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AgentJob } from '@safekeep/plugin-backups-common';
import { agentErrorText, isUnknownToAgent } from '../agent/AgentError';
import type { RestoreAgents } from '../agent/RestoreAgent';
import {
  groupCheck,
  groupFailureText,
  nextGroupStep,
  withAgentGroupReport,
  withAllMembers,
  withMember,
} from './group/groupRestoreState';
import { restoreJobOutcome } from './restoreJobOutcome';
import type { RestoreSteps } from './RestoreSteps';
import type { GroupState, RestoresStore, StoredRestore } from './RestoresStore';

/**
 * Runs a consistency group's restore, one step a tick, from its stored state (see
 * nextGroupStep). When every member lives on one agent, that agent is asked to restore the
 * group itself (it stops and starts the group's containers); an agent without such a group
 * (404, or 400 from an agent that predates groups) gets the members one after the other,
 * stopping at the first failure. Every step writes a new state; none is changed in place.
 */
export class GroupRestoreRunner {
  constructor(
    private readonly options: {
      store: Pick<RestoresStore, 'recordProgress' | 'recordJobStarted'>;
      agents: RestoreAgents;
      logger: LoggerService;
      steps: RestoreSteps;
      now: () => Date;
    },
  ) {}

  /** One step of a claimed or running group restore. */
  async step(request: StoredRestore): Promise<void> {
    const state = request.groupState!;
    const next = nextGroupStep(state);
    if (next.kind === 'decide') {
      await this.startAgentGroup(request, state);
    } else if (next.kind === 'follow-agent-group') {
      const agent = this.options.agents.get(next.agent);
      const job = await this.options.steps.poll(request, agent);
      if (job) await this.finishAgentGroup(request, state, job);
    } else {
      await this.followMembers(request, state);
    }
  }

  private async startAgentGroup(
    request: StoredRestore,
    state: GroupState,
  ): Promise<void> {
    const now = this.options.now();
    const agentNames = [...new Set(state.members.map(m => m.agent))];
    const agent =
      agentNames.length === 1
        ? this.options.agents.get(agentNames[0])
        : undefined;
    const memberByMember: GroupState = { ...state, mode: 'members' };
    if (!agent) {
      await this.followMembers(request, memberByMember);
      return;
    }
    try {
      const result = await agent.startGroupRestore({
        group: state.name,
        snapshotIds: Object.fromEntries(
          state.members.map(m => [m.target, m.snapshotId]),
        ),
        force: true,
      });
      if (result.kind === 'busy') {
        await this.options.store.recordProgress(
          request.id,
          `waiting: agent "${agent.name}" is running another job (${result.runningJobId}) of the group`,
          now,
        );
        return;
      }
      await this.options.store.recordJobStarted(
        request.id,
        result.job.id,
        result.job.phase,
        now,
        {
          ...withAllMembers(state, {
            status: 'running',
            startedAt: now.toISOString(),
          }),
          mode: 'agent',
        },
      );
    } catch (error) {
      if (isUnknownToAgent(error)) {
        this.options.logger.info(
          `Restore ${request.id}: agent "${agent.name}" restores no group "${state.name}" itself (${error.message}); restoring member by member`,
        );
        await this.followMembers(request, memberByMember);
        return;
      }
      await this.options.steps.finish(request, {
        status: 'failed',
        groupState: state,
        error: `The agent did not start the group restore, nothing was changed: ${agentErrorText(
          error,
        )}`,
      });
    }
  }

  private async finishAgentGroup(
    request: StoredRestore,
    running: GroupState,
    job: AgentJob,
  ): Promise<void> {
    const state = withAgentGroupReport(running, job, this.options.now());
    if (job.state === 'succeeded') {
      await this.options.steps.finish(request, {
        status: 'succeeded',
        groupState: state,
        check: groupCheck(state),
      });
      return;
    }
    const outcome = restoreJobOutcome(job, {
      containersToStop: request.preview.containersToStop,
      destination: `the group's targets`,
    });
    await this.options.steps.finish(request, {
      status: 'failed',
      groupState: state,
      check: groupCheck(state),
      error: outcome.error,
    });
  }

  /** Member by member: follows the running one, then starts the next; stops at the first failure. */
  private async followMembers(
    request: StoredRestore,
    state: GroupState,
  ): Promise<void> {
    const { steps, store, agents } = this.options;
    const now = this.options.now();
    const next = nextGroupStep(state);
    switch (next.kind) {
      case 'follow-member': {
        const { member } = next;
        const job = await steps.poll(request, agents.get(member.agent));
        if (!job) return;
        const outcome = restoreJobOutcome(job, {
          containersToStop: request.preview.containersToStop,
          destination: `target ${member.target}`,
        });
        await this.followMembers(
          request,
          withMember(state, member.target, {
            status: outcome.ok ? 'succeeded' : 'failed',
            finishedAt: now.toISOString(),
            check: outcome.check,
            error: outcome.error,
          }),
        );
        return;
      }
      case 'failed':
        await steps.finish(request, {
          status: 'failed',
          groupState: state,
          check: next.failed.check ?? null,
          error: groupFailureText(next.failed, next.notRun),
        });
        return;
      case 'succeeded':
        await steps.finish(request, {
          status: 'succeeded',
          groupState: state,
          check: groupCheck(state),
        });
        return;
      case 'start-member': {
        const { member } = next;
        const agent = agents.get(member.agent);
        if (!agent) {
          await this.followMembers(
            request,
            withMember(state, member.target, {
              status: 'failed',
              error: `Agent "${member.agent}" is not in app-config backups.agents`,
            }),
          );
          return;
        }
        const started = await steps.startStep(request, {
          agent,
          target: member.target,
          snapshotId: member.snapshotId,
          force: true,
        });
        if (started.kind === 'busy') {
          await store.recordProgress(
            request.id,
            `${member.entityRef}: ${started.phase}`,
            now,
            state,
          );
        } else if (started.kind === 'failed') {
          await this.followMembers(
            request,
            withMember(state, member.target, {
              status: 'failed',
              finishedAt: now.toISOString(),
              error: started.error,
            }),
          );
        } else {
          await store.recordJobStarted(
            request.id,
            started.job.id,
            `${member.entityRef}: ${started.job.phase}`,
            now,
            withMember(state, member.target, {
              status: 'running',
              startedAt: now.toISOString(),
            }),
          );
        }
        return;
      }
      default:
        throw new Error(
          `Group restore ${request.id} is not member by member (${next.kind})`,
        );
    }
  }
}
