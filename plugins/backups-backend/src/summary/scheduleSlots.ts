import {
  BackupSchedule,
  nextScheduledTime,
  previousScheduledTime,
} from '@safekeep/plugin-backups-common';

interface Slots {
  previous: Date;
  next: Date;
}

/** Distinct schedules are few (most teams write "daily 01:00"); the cache stays small. */
const MAX_CACHED = 5_000;
const cache = new Map<string, Slots>();

/**
 * The latest slot at or before `now` and the first after it. Computing them with cron-parser
 * costs about half a millisecond, which adds up over a team's entities; the answer stays the same
 * until the next slot, so it is kept per schedule until then.
 */
export function slotsAround(schedule: BackupSchedule, now: Date): Slots {
  const key = `${schedule.cron}|${schedule.timeZone}`;
  const cached = cache.get(key);
  if (
    cached &&
    cached.previous.getTime() <= now.getTime() &&
    now.getTime() < cached.next.getTime()
  )
    return cached;
  const slots = {
    previous: previousScheduledTime(schedule, now),
    next: nextScheduledTime(schedule, now),
  };
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, slots);
  return slots;
}
