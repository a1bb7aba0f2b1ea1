import type { SchedulerService } from '@backstage/backend-plugin-api';
import type { RestoreDrillDispatcher } from './RestoreDrillDispatcher';
import type { RestoreExecutor } from './RestoreExecutor';

export const RESTORE_RUNNER_TASK_ID = 'backups-restores';
export const RESTORE_DRILL_TASK_ID = 'backups-restore-drills';

/**
 * The restore runner (local: every replica; claims in the database keep them apart) starts,
 * follows and expires restores every 2 s; its first tick reconciles restores left running.
 * The drill dispatcher (global) queues due drills.
 */
export async function registerRestoreTasks(options: {
  scheduler: SchedulerService;
  executor: RestoreExecutor;
  drills: RestoreDrillDispatcher;
  dispatchIntervalSeconds: number;
}): Promise<void> {
  const { scheduler, executor, drills, dispatchIntervalSeconds } = options;
  await scheduler.scheduleTask({
    id: RESTORE_RUNNER_TASK_ID,
    scope: 'local',
    frequency: { seconds: 2 },
    timeout: { minutes: 10 },
    fn: () => executor.tick(),
  });
  await scheduler.scheduleTask({
    id: RESTORE_DRILL_TASK_ID,
    scope: 'global',
    frequency: { seconds: dispatchIntervalSeconds },
    timeout: { seconds: Math.max(120, dispatchIntervalSeconds * 4) },
    fn: () => drills.dispatch(),
  });
}
