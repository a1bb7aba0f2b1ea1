import {
  BackupSchedule,
  previousScheduledTime,
} from '@safekeep/plugin-backups-common';

/**
 * The schedule slot a run should be created for now, if any: only the latest due slot,
 * and only when it is newer than the last slot recorded. After downtime the missed slots
 * are not backfilled (one run catches up; the summary shows the gap as "late").
 */
export function dueSlot(
  schedule: BackupSchedule,
  now: Date,
  latestRecordedSlot: Date | undefined,
): Date | undefined {
  const slot = previousScheduledTime(schedule, now);
  if (latestRecordedSlot && slot.getTime() <= latestRecordedSlot.getTime())
    return undefined;
  return slot;
}
