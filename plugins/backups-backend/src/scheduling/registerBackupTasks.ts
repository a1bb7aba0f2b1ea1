import type { SchedulerService } from '@backstage/backend-plugin-api';
import type { RunExecutor } from '../execution/RunExecutor';
import type { ScheduleDispatcher } from './ScheduleDispatcher';

export const DISPATCH_TASK_ID = 'backups-dispatch';
export const RUNNER_TASK_ID = 'backups-runner';
/** How often running jobs are polled and queued runs started. */
export const RUNNER_INTERVAL_SECONDS = 2;

/**
 * Two tasks: the dispatcher (global: one replica at a time) queues due schedule slots; the
 * runner (local: every replica; claims in the database keep them apart) starts and follows
 * runs. The runner's first tick on start reconciles runs left running by a previous process.
 */
export async function registerBackupTasks(options: {
  scheduler: SchedulerService;
  dispatcher: ScheduleDispatcher;
  executor: RunExecutor;
  dispatchIntervalSeconds: number;
}): Promise<void> {
  const { scheduler, dispatcher, executor, dispatchIntervalSeconds } = options;
  await scheduler.scheduleTask({
    id: DISPATCH_TASK_ID,
    scope: 'global',
    frequency: { seconds: dispatchIntervalSeconds },
    timeout: { seconds: Math.max(120, dispatchIntervalSeconds * 4) },
    fn: async () => {
      await dispatcher.dispatch();
    },
  });
  await scheduler.scheduleTask({
    id: RUNNER_TASK_ID,
    scope: 'local',
    frequency: { seconds: RUNNER_INTERVAL_SECONDS },
    timeout: { minutes: 10 },
    fn: () => executor.tick(),
  });
}
