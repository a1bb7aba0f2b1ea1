import type { SchedulerService } from '@backstage/backend-plugin-api';
import type { RunExecutor } from '../runs/RunExecutor';
import type { RetentionPruner } from '../retention/RetentionPruner';
import type { ScheduleDispatcher } from './ScheduleDispatcher';

export const DISPATCH_TASK_ID = 'backups-dispatch';
export const RUNNER_TASK_ID = 'backups-runner';
/** How often running jobs are polled and queued runs started. */
export const RUNNER_INTERVAL_SECONDS = 2;

/** Work done in the dispatcher task after the due slots are queued (e.g. the incident check). */
export interface DispatchFollowUp {
  afterDispatch(): Promise<void>;
}

/**
 * Two tasks: the dispatcher (global: one replica at a time) queues due schedule slots, then
 * checks freshness (incidents and their notifications); the runner (local: every replica;
 * claims in the database keep them apart) starts and follows runs, then retention prunes.
 * The runner's first tick on start reconciles runs left running by a previous process.
 */
export async function registerBackupTasks(options: {
  scheduler: SchedulerService;
  dispatcher: ScheduleDispatcher;
  executor: RunExecutor;
  pruner?: RetentionPruner;
  followUps?: DispatchFollowUp[];
  dispatchIntervalSeconds: number;
}): Promise<void> {
  const { scheduler, dispatcher, executor, pruner, dispatchIntervalSeconds } =
    options;
  await scheduler.scheduleTask({
    id: DISPATCH_TASK_ID,
    scope: 'global',
    frequency: { seconds: dispatchIntervalSeconds },
    timeout: { seconds: Math.max(120, dispatchIntervalSeconds * 4) },
    fn: async () => {
      await dispatcher.dispatch();
      for (const followUp of options.followUps ?? [])
        await followUp.afterDispatch();
    },
  });
  await scheduler.scheduleTask({
    id: RUNNER_TASK_ID,
    scope: 'local',
    frequency: { seconds: RUNNER_INTERVAL_SECONDS },
    timeout: { minutes: 10 },
    fn: async () => {
      await executor.tick();
      await pruner?.tick();
    },
  });
}
