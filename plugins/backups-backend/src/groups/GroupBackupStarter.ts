import type { LoggerService } from '@backstage/backend-plugin-api';
import { agentErrorText, isUnknownToAgent } from '../agent/AgentError';
import type { AgentRegistry } from '../agent/AgentRegistry';
import type { BackupsStore, RunOutcome, StoredRun } from '../runs/BackupsStore';
import type { GroupRunsStore } from './GroupRunsStore';

/**
 * Starts a consistency group's queued member runs as ONE agent job when it can: all members on
 * one agent, which knows the group (`POST /v1/backups { group }`: it stops the group's
 * containers, dumps every member, starts them again). Each member run then follows that job and
 * takes its own share of it. When members live on several agents, or the agent answers 404/400
 * (no such group, or an agent without groups), the members start one by one as ordinary runs.
 */
export class GroupBackupStarter {
  constructor(
    private readonly options: {
      runs: Pick<BackupsStore, 'recordJobStarted' | 'returnToQueue'>;
      groupRuns: Pick<GroupRunsStore, 'listRunsOfGroup' | 'claimGroupRuns'>;
      agents: AgentRegistry;
      /** The group name a System declares (safekeep.io/consistency-group), read as the plugin. */
      groupNameOf: (systemRef: string) => Promise<string | undefined>;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /**
   * True when the run was dealt with here (started with its group, or left waiting for it);
   * false when it should start as an ordinary run.
   */
  async start(
    queued: StoredRun,
    finish: (run: StoredRun, outcome: RunOutcome) => Promise<unknown>,
  ): Promise<boolean> {
    const { groupRuns, runs, agents, logger } = this.options;
    if (!queued.groupRunId || !queued.groupRef) return false;
    const members = await groupRuns.listRunsOfGroup(queued.groupRunId);
    // Once any member went its own way, the rest follow as ordinary runs.
    if (members.some(m => m.status !== 'queued')) return false;
    const agentNames = [...new Set(members.map(m => m.agent))];
    const client =
      agentNames.length === 1 ? agents.get(agentNames[0]) : undefined;
    if (!client) return false;
    const group = await this.options.groupNameOf(queued.groupRef);
    if (!group) return false;

    const claimed = await groupRuns.claimGroupRuns(
      members.map(m => m.id),
      this.now(),
    );
    // A member's target is busy: the whole group waits for the next tick.
    if (!claimed) return true;
    const backToQueue = (phase: string) =>
      Promise.all(
        claimed.map(run => runs.returnToQueue(run.id, phase, this.now())),
      );
    try {
      const result = await client.startGroupBackup(group);
      if (result.kind === 'busy') {
        await backToQueue(
          `waiting: agent "${client.name}" is running another job (${result.runningJobId}) of consistency group "${group}"`,
        );
        return true;
      }
      for (const run of claimed)
        await runs.recordJobStarted(
          run.id,
          result.job.id,
          result.job.phase,
          this.now(),
        );
      logger.info(
        `Consistency group "${group}" of ${queued.groupRef}: backup started as agent job ${result.job.id} (${claimed.length} members)`,
      );
      return true;
    } catch (error) {
      if (isUnknownToAgent(error)) {
        logger.info(
          `Agent "${client.name}" does not back up consistency group "${group}" itself (${error.message}); backing its members up one by one`,
        );
        await backToQueue(
          `queued with consistency group ${queued.groupRef} (member by member)`,
        );
        return false;
      }
      const reason = agentErrorText(error);
      for (const run of claimed) {
        await finish(run, {
          status: 'failed',
          finishedAt: this.now(),
          error: `The group backup could not start: ${reason}`,
        });
      }
      return true;
    }
  }
}
