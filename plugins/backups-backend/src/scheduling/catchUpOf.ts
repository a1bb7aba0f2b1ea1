import {
  BackupSchedule,
  nextScheduledTime,
  RunCatchUp,
} from '@safekeep/plugin-backups-common';
import { LATE_GRACE_MS } from '../summary/computeEntitySummary';

/** Counting stops here: a schedule every minute missed for a week is "10000+" slots. */
const MAX_COUNTED = 10_000;

/**
 * What a scheduled run queued now for `slot` catches up: the slots between the previous
 * scheduled run's slot and this one that got no run, and how late it comes against the RPO.
 * Undefined for a run queued on time right after the previous slot.
 */
export function catchUpOf(input: {
  schedule: BackupSchedule;
  slot: Date;
  now: Date;
  previousSlot: Date | undefined;
  lastSuccessAt: Date | undefined;
  rpoMs: number | undefined;
  dispatchIntervalMs: number;
}): RunCatchUp | undefined {
  const { schedule, slot, now, previousSlot, lastSuccessAt } = input;
  let missedSlots = 0;
  let firstMissedSlot: Date | undefined;
  if (previousSlot) {
    for (
      let at = nextScheduledTime(schedule, previousSlot);
      at.getTime() < slot.getTime() && missedSlots < MAX_COUNTED;
      at = nextScheduledTime(schedule, at)
    ) {
      firstMissedSlot ??= at;
      missedSlots++;
    }
  }
  const lateMs = now.getTime() - slot.getTime();
  const late = lateMs > input.dispatchIntervalMs + LATE_GRACE_MS;
  if (missedSlots === 0 && !late) return undefined;
  const sinceLastSuccessMs = lastSuccessAt
    ? now.getTime() - lastSuccessAt.getTime()
    : null;
  return {
    missedSlots,
    firstMissedSlot: firstMissedSlot?.toISOString() ?? null,
    lateMs,
    sinceLastSuccessMs,
    rpoMs: input.rpoMs ?? null,
    rpoExceeded:
      input.rpoMs !== undefined &&
      sinceLastSuccessMs !== null &&
      sinceLastSuccessMs > input.rpoMs,
  };
}
