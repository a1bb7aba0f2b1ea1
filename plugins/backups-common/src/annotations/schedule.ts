import { CronExpressionParser } from 'cron-parser';
import { nextSlot, previousSlot } from './zonedSlots';

/** A schedule reduced to a standard 5-field cron expression and a time zone. */
export interface BackupSchedule {
  /** The annotation as written. */
  source: string;
  cron: string;
  timeZone: string;
}

const DAYS: Record<string, number> = {
  sun: 0,
  sunday: 0,
  sundays: 0,
  mon: 1,
  monday: 1,
  mondays: 1,
  tue: 2,
  tuesday: 2,
  tuesdays: 2,
  wed: 3,
  wednesday: 3,
  wednesdays: 3,
  thu: 4,
  thursday: 4,
  thursdays: 4,
  fri: 5,
  friday: 5,
  fridays: 5,
  sat: 6,
  saturday: 6,
  saturdays: 6,
};

export const SCHEDULE_HELP =
  'Use a 5-field cron expression or a shortcut, optionally followed by an IANA time zone: ' +
  '"0 4 * * 0 Europe/Oslo", "daily 01:00 Europe/Zurich", "sundays 04:00 Europe/Oslo", "hourly", "every 15m".';

function isTimeZone(text: string): boolean {
  try {
    // Throws a RangeError for a zone the runtime's time-zone database does not know.
    return (
      new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions()
        .timeZone.length > 0
    );
  } catch {
    return false;
  }
}

function parseClock(
  text: string,
): { hour: number; minute: number } | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (hour > 23 || minute > 59) return undefined;
  return { hour, minute };
}

/** Turns the words of a shortcut into cron, or returns an error message. */
function shortcutToCron(words: string[]): string | { error: string } {
  const [first, second] = words.map(w => w.toLowerCase());
  if (first === 'hourly' && words.length === 1) return '0 * * * *';
  if (first === 'every' && words.length === 2) {
    const match = /^(\d+)([mh])$/.exec(second ?? '');
    if (!match)
      return {
        error: `"every" takes minutes or hours such as "every 15m" or "every 2h", not "${words[1]}"`,
      };
    const n = Number(match[1]);
    if (match[2] === 'm') {
      if (n < 1 || n > 59 || 60 % n !== 0)
        return {
          error: `"every ${words[1]}": minutes must divide 60 (1, 2, 5, 10, 15, 20, 30)`,
        };
      return n === 1 ? '* * * * *' : `*/${n} * * * *`;
    }
    if (n < 1 || n > 23 || 24 % n !== 0)
      return {
        error: `"every ${words[1]}": hours must divide 24 (1, 2, 3, 4, 6, 8, 12)`,
      };
    return `0 */${n} * * *`;
  }
  if (first === 'daily' && words.length === 2) {
    const clock = parseClock(words[1]);
    if (!clock)
      return {
        error: `"daily" takes a time such as "daily 01:00", not "${words[1]}"`,
      };
    return `${clock.minute} ${clock.hour} * * *`;
  }
  const day = DAYS[first];
  if (day !== undefined && words.length === 2) {
    const clock = parseClock(words[1]);
    if (!clock)
      return {
        error: `"${words[0]}" takes a time such as "${words[0]} 04:00", not "${words[1]}"`,
      };
    return `${clock.minute} ${clock.hour} * * ${day}`;
  }
  if (first === 'weekly' && words.length === 3 && DAYS[second] !== undefined) {
    const clock = parseClock(words[2]);
    if (!clock)
      return {
        error: `"weekly" takes a day and a time such as "weekly sunday 04:00"`,
      };
    return `${clock.minute} ${clock.hour} * * ${DAYS[second]}`;
  }
  return {
    error: `"${words.join(
      ' ',
    )}" is neither a cron expression nor a known shortcut`,
  };
}

/** Parses a schedule annotation. Returns the schedule or an error message that says how to fix it. */
export function parseSchedule(
  text: string,
  defaultTimeZone = 'UTC',
): BackupSchedule | { error: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0)
    return { error: `the schedule is empty. ${SCHEDULE_HELP}` };
  let timeZone = defaultTimeZone;
  const last = words[words.length - 1];
  if (/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(last) || last === 'UTC') {
    if (!isTimeZone(last))
      return {
        error: `"${last}" is not a known IANA time zone (for example Europe/Oslo or UTC)`,
      };
    timeZone = last;
    words.pop();
  }
  let cron: string;
  if (
    words.length === 5 &&
    words.every(w => /^[\d*/,\-A-Za-z?]+$/.test(w)) &&
    /[\d*]/.test(words[0])
  ) {
    cron = words.join(' ');
  } else {
    const converted = shortcutToCron(words);
    if (typeof converted !== 'string')
      return { error: `${converted.error}. ${SCHEDULE_HELP}` };
    cron = converted;
  }
  try {
    CronExpressionParser.parse(cron, { tz: timeZone });
  } catch (e) {
    return {
      error: `"${cron}" is not a valid cron expression (${
        (e as Error).message
      }). ${SCHEDULE_HELP}`,
    };
  }
  return { source: text.trim(), cron, timeZone };
}

/** The first scheduled time strictly after `after` (daylight-saving rules: zonedSlots.ts). */
export function nextScheduledTime(schedule: BackupSchedule, after: Date): Date {
  return new Date(nextSlot(schedule.cron, schedule.timeZone, after.getTime()));
}

/** The last scheduled time at or before `at`. */
export function previousScheduledTime(
  schedule: BackupSchedule,
  at: Date,
): Date {
  return new Date(previousSlot(schedule.cron, schedule.timeZone, at.getTime()));
}
