import type { SchedulerService } from '@backstage/backend-plugin-api';
import type { VerifyScheduler } from './VerifyScheduler';

export const VERIFY_TASK_ID = 'backups-verify';

/** Scheduled verify as one global task (one replica at a time), ticking like the dispatcher. */
export async function registerVerifyTask(options: {
  scheduler: SchedulerService;
  verifier: VerifyScheduler;
  intervalSeconds: number;
}): Promise<void> {
  await options.scheduler.scheduleTask({
    id: VERIFY_TASK_ID,
    scope: 'global',
    frequency: { seconds: options.intervalSeconds },
    timeout: { minutes: 10 },
    fn: () => options.verifier.tick(),
  });
}
