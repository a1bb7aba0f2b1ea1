import {
  BackupSchedule,
  formatDuration,
  nextScheduledTime,
  previousScheduledTime,
} from '@safekeep/plugin-backups-common';

/** Fewer finished runs than this say too little about how long a backup takes. */
export const MIN_RUNS_FOR_OVERLAP = 3;

const gaps = new Map<string, { gapMs: number; until: number }>();

/** The shortest time between two consecutive slots of the schedule, looking at the next few slots. */
export function shortestScheduleGapMs(
  schedule: BackupSchedule,
  at: Date,
  slots = 12,
): number {
  // Costly to compute (a dozen cron steps) and stable: kept a day per schedule.
  const key = `${schedule.cron}|${schedule.timeZone}|${slots}`;
  const cached = gaps.get(key);
  if (cached && at.getTime() < cached.until) return cached.gapMs;
  const gapMs = computeShortestGap(schedule, at, slots);
  if (gaps.size >= 5_000) gaps.clear();
  gaps.set(key, { gapMs, until: at.getTime() + 86_400_000 });
  return gapMs;
}

function computeShortestGap(
  schedule: BackupSchedule,
  at: Date,
  slots: number,
): number {
  let slot = previousScheduledTime(schedule, at);
  let shortest = Infinity;
  for (let i = 0; i < slots; i++) {
    const next = nextScheduledTime(schedule, slot);
    shortest = Math.min(shortest, next.getTime() - slot.getTime());
    slot = next;
  }
  return shortest;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * A warning when backups last longer than the schedule leaves between two slots: the median of
 * the recent successful runs' durations is longer than the shortest gap between slots. Such
 * runs would overlap; the backend never runs two of a target at once, so slots get skipped.
 */
export function overlapWarning(
  schedule: BackupSchedule,
  recentDurationsMs: number[],
  at: Date,
): string | undefined {
  if (recentDurationsMs.length < MIN_RUNS_FOR_OVERLAP) return undefined;
  const typical = median(recentDurationsMs);
  const gap = shortestScheduleGapMs(schedule, at);
  if (typical <= gap) return undefined;
  return (
    `Backups take longer than the schedule allows: the median of the last ${recentDurationsMs.length} successful runs ` +
    `is ${formatDuration(typical)}, but "${
      schedule.source
    }" starts one every ${formatDuration(gap)}. ` +
    'Runs of one target never overlap, so slots are skipped while one runs; make the schedule less frequent or the backup faster.'
  );
}
