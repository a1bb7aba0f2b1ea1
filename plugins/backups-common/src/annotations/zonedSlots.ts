import { CronExpression, CronExpressionParser } from 'cron-parser';

/**
 * Schedule slots in a time zone, with daylight-saving rules a user can predict:
 *
 * - A slot whose local time does not exist (the spring-forward gap) runs at the shifted local
 *   time, as if the clock had not jumped yet: "daily 02:30 Europe/Zurich" runs at 03:30 on the
 *   last Sunday of March (the Temporal API's "compatible" choice).
 * - A slot whose local time happens twice (the autumn overlap) runs once, at its first
 *   occurrence, when the schedule names its hours ("daily 02:30"); a schedule over every hour
 *   ("hourly", "every 15m", "every 2h") runs at both, since its slots measure elapsed time.
 *   These are cronie's rules for fixed-time and wildcard jobs.
 *
 * cron-parser's own time-zone mode gets some of this wrong (its prev() skips gap slots and can
 * return the second occurrence of a repeated time; a 30-minute shift loops), so it is used only
 * in UTC, where no clock jumps, to enumerate wall-clock times; Intl maps them to instants.
 */

/** Offsets are sampled this far either side of an instant: DST and offset changes are rarer. */
const OFFSET_WINDOW_MS = 26 * 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

function exactOffsetMs(timeZone: string, instantMs: number): number {
  const parts: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instantMs)))
    parts[part.type] = part.value;
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour) % 24,
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(instantMs / 1000) * 1000;
}

const HOUR = 3_600_000;
const MAX_CACHED_HOURS = 200_000;
const hourOffsets = new Map<string, number>();

function offsetAtHour(timeZone: string, hour: number): number {
  const key = `${timeZone}|${hour}`;
  let offset = hourOffsets.get(key);
  if (offset === undefined) {
    offset = exactOffsetMs(timeZone, hour * HOUR);
    if (hourOffsets.size >= MAX_CACHED_HOURS) hourOffsets.clear();
    hourOffsets.set(key, offset);
  }
  return offset;
}

/**
 * The zone's offset from UTC at an instant, in milliseconds. Intl is slow (tens of
 * microseconds a call), so offsets are kept per UTC hour; an hour whose two ends differ holds
 * a change (never two) and is asked of Intl at the instant itself.
 */
export function zoneOffsetMs(timeZone: string, instantMs: number): number {
  const hour = Math.floor(instantMs / HOUR);
  const start = offsetAtHour(timeZone, hour);
  if (start === offsetAtHour(timeZone, hour + 1)) return start;
  return exactOffsetMs(timeZone, instantMs);
}

interface Offsets {
  min: number;
  max: number;
}

function offsetsAround(timeZone: string, instantMs: number): Offsets {
  const samples = [
    zoneOffsetMs(timeZone, instantMs - OFFSET_WINDOW_MS),
    zoneOffsetMs(timeZone, instantMs),
    zoneOffsetMs(timeZone, instantMs + OFFSET_WINDOW_MS),
  ];
  return { min: Math.min(...samples), max: Math.max(...samples) };
}

/**
 * The instants a wall-clock time (as milliseconds of a UTC date with the same fields) stands for:
 * one; two in an overlap (both, or the first only); in a gap, the instant at the offset in force
 * before the gap.
 */
function instantsOf(
  timeZone: string,
  wallMs: number,
  bothInOverlap: boolean,
): number[] {
  const before = zoneOffsetMs(timeZone, wallMs - OFFSET_WINDOW_MS);
  const after = zoneOffsetMs(timeZone, wallMs + OFFSET_WINDOW_MS);
  const valid = [...new Set([before, after])]
    .map(offset => wallMs - offset)
    .filter(instant => zoneOffsetMs(timeZone, instant) === wallMs - instant)
    .sort((a, b) => a - b);
  if (valid.length === 0) return [wallMs - before];
  return bothInOverlap ? valid : [valid[0]];
}

/** Whether a cron expression's slots are elapsed-time ones ("every hour"), not fixed times of day. */
function runsEveryHour(cron: string): boolean {
  return cron.trim().split(/\s+/)[1]?.includes('*') ?? false;
}

const MAX_CACHED_EXPRESSIONS = 5_000;
const expressions = new Map<string, CronExpression>();

/** Wall-clock times of the cron from `fromWallMs` on (parsed once per expression). */
function wallClockTimes(cron: string, fromWallMs: number): CronExpression {
  let expression = expressions.get(cron);
  if (!expression) {
    expression = CronExpressionParser.parse(cron, { tz: 'UTC' });
    if (expressions.size >= MAX_CACHED_EXPRESSIONS) expressions.clear();
    expressions.set(cron, expression);
  }
  expression.reset(new Date(fromWallMs));
  return expression;
}

/** The first slot strictly after `afterMs`. */
export function nextSlot(
  cron: string,
  timeZone: string,
  afterMs: number,
): number {
  const offsets = offsetsAround(timeZone, afterMs);
  const both = runsEveryHour(cron);
  // A slot after `afterMs` has a wall-clock time after afterMs + the smallest offset around it.
  const walls = wallClockTimes(cron, afterMs + offsets.min - 1);
  let best = Infinity;
  for (;;) {
    const wall = walls.next().getTime();
    // Later wall-clock times stand for instants no earlier than wall - the largest offset.
    if (wall - offsets.max > best) return best;
    for (const instant of instantsOf(timeZone, wall, both))
      if (instant > afterMs && instant < best) best = instant;
  }
}

/** The last slot at or before `atMs`. */
export function previousSlot(
  cron: string,
  timeZone: string,
  atMs: number,
): number {
  const offsets = offsetsAround(timeZone, atMs);
  const both = runsEveryHour(cron);
  // prev() is strictly before its start: start 1 ms after the latest wall time that can count.
  const walls = wallClockTimes(cron, atMs + offsets.max + 1);
  let best = -Infinity;
  for (;;) {
    const wall = walls.prev().getTime();
    if (wall - offsets.min < best) return best;
    for (const instant of instantsOf(timeZone, wall, both))
      if (instant <= atMs && instant > best) best = instant;
  }
}
