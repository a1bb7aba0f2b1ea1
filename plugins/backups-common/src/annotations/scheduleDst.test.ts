import { CronExpressionParser } from 'cron-parser';
import {
  BackupSchedule,
  nextScheduledTime,
  previousScheduledTime,
} from './schedule';

/**
 * Property tests of schedule slots across daylight-saving changes, against a reference written
 * from the rules' wording (docs/annotations.md): every wall-clock time the cron names, on every
 * day, mapped to instants by trying the zone's offsets either side of it.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_END = Date.UTC(2027, 0, 1);

const formats = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
function offsetAt(timeZone: string, instant: number): number {
  const key = `${timeZone}|${instant}`;
  if (!offsets.has(key)) offsets.set(key, longOffsetAt(timeZone, instant));
  return offsets.get(key)!;
}
function longOffsetAt(timeZone: string, instant: number): number {
  if (!formats.has(timeZone))
    formats.set(
      timeZone,
      new Intl.DateTimeFormat('en-GB', {
        timeZone,
        timeZoneName: 'longOffset',
      }),
    );
  // "GMT+05:45", "GMT-03:00" or "GMT" (offset 0).
  const name = formats
    .get(timeZone)!
    .formatToParts(new Date(instant))
    .find(p => p.type === 'timeZoneName')!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return (match[1] === '-' ? -minutes : minutes) * 60_000;
}

/** The slots the rules promise in [from, to), sorted. */
function expectedSlots(
  cron: string,
  timeZone: string,
  from: number,
  to: number,
): number[] {
  const { fields } = CronExpressionParser.parse(cron);
  const weekdays = new Set(fields.dayOfWeek.values.map(d => Number(d) % 7));
  const everyHour = cron.split(' ')[1].includes('*');
  const slots = new Set<number>();
  for (let day = from - 2 * DAY; day < to + 2 * DAY; day += DAY) {
    const date = new Date(day);
    if (!weekdays.has(date.getUTCDay())) continue;
    for (const hour of fields.hour.values)
      for (const minute of fields.minute.values) {
        const wall = Date.UTC(
          date.getUTCFullYear(),
          date.getUTCMonth(),
          date.getUTCDate(),
          Number(hour),
          Number(minute),
        );
        const earlier = offsetAt(timeZone, wall - 2 * DAY);
        const later = offsetAt(timeZone, wall + 2 * DAY);
        const real = [...new Set([earlier, later])]
          .map(offset => wall - offset)
          .filter(instant => offsetAt(timeZone, instant) === wall - instant)
          .sort((a, b) => a - b);
        let instants: number[];
        if (real.length === 0)
          instants = [wall - earlier]; // a gap: shifted by its length
        else instants = everyHour ? real : [real[0]];
        for (const instant of instants)
          if (instant >= from && instant < to) slots.add(instant);
      }
  }
  return [...slots].sort((a, b) => a - b);
}

function schedule(cron: string, timeZone: string): BackupSchedule {
  // Built directly: some IANA names (EST5EDT, Etc/GMT+5) are not written in an annotation.
  return { source: `${cron} ${timeZone}`, cron, timeZone };
}

function iso(ms: number) {
  return new Date(ms).toISOString();
}

/** Walks next() from `from` to `to`, and checks previous() at and just before each slot. */
function checkSlots(s: BackupSchedule, from: number, to: number) {
  const expected = expectedSlots(s.cron, s.timeZone, from, to);
  const walked: number[] = [];
  let cursor = new Date(from - 1);
  for (;;) {
    cursor = nextScheduledTime(s, cursor);
    if (cursor.getTime() >= to) break;
    walked.push(cursor.getTime());
  }
  expect(walked.map(iso)).toEqual(expected.map(iso));
  const previousWrong: string[] = [];
  for (let i = 1; i < expected.length; i++) {
    const at = previousScheduledTime(s, new Date(expected[i])).getTime();
    const before = previousScheduledTime(
      s,
      new Date(expected[i] - 1),
    ).getTime();
    if (at !== expected[i])
      previousWrong.push(`at ${iso(expected[i])} gave ${iso(at)}`);
    if (before !== expected[i - 1])
      previousWrong.push(
        `just before ${iso(expected[i])} gave ${iso(before)}, not ${iso(
          expected[i - 1],
        )}`,
      );
  }
  expect(previousWrong).toEqual([]);
  return expected.length;
}

/** The instants in [from, to) where the zone's offset changes, to the hour (or half hour). */
function offsetChanges(timeZone: string, from: number, to: number): number[] {
  const changes: number[] = [];
  let previous = offsetAt(timeZone, from);
  for (let t = from + DAY; t <= to; t += DAY) {
    const offset = offsetAt(timeZone, t);
    if (offset === previous) continue;
    let low = t - DAY;
    let high = t;
    while (high - low > 15 * 60_000) {
      const middle = low + Math.floor((high - low) / 2);
      if (offsetAt(timeZone, middle) === previous) low = middle;
      else high = middle;
    }
    changes.push(high);
    previous = offset;
  }
  return changes;
}

describe('schedule slots across daylight-saving changes', () => {
  it('runs "daily 02:30 Europe/Zurich" at 03:30 on the spring-forward day, and once on the autumn day', () => {
    const s = schedule('30 2 * * *', 'Europe/Zurich');
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist.
    expect(
      previousScheduledTime(s, new Date('2026-03-29T06:00:00Z')).toISOString(),
    ).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(
      nextScheduledTime(s, new Date('2026-03-28T12:00:00Z')).toISOString(),
    ).toBe('2026-03-29T01:30:00.000Z');
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice, runs at the first.
    expect(
      previousScheduledTime(s, new Date('2026-10-25T01:45:00Z')).toISOString(),
    ).toBe('2026-10-25T00:30:00.000Z');
  });

  it('runs "01:45 America/New_York" once on the day 01:00-02:00 repeats', () => {
    const s = schedule('45 1 * * *', 'America/New_York');
    expect(
      previousScheduledTime(s, new Date('2026-11-01T06:50:00Z')).toISOString(),
    ).toBe('2026-11-01T05:45:00.000Z'); // 01:45 EDT, not 01:45 EST an hour later
  });

  it('runs an hourly schedule at both 02:00s of a repeated hour (elapsed time, not time of day)', () => {
    const s = schedule('0 * * * *', 'Europe/Zurich');
    const slots = [new Date('2026-10-24T23:30:00Z')];
    for (let i = 0; i < 4; i++)
      slots.push(nextScheduledTime(s, slots[slots.length - 1]));
    expect(slots.slice(1).map(d => d.toISOString())).toEqual([
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
    ]);
  });

  it('follows a 30-minute daylight-saving shift (Australia/Lord_Howe)', () => {
    const s = schedule('15 2 * * *', 'Australia/Lord_Howe');
    // 2026-10-04 02:00 LHST (+10:30) jumps to 02:30 LHDT (+11:00): 02:15 runs at 02:45.
    expect(
      nextScheduledTime(s, new Date('2026-10-03T12:00:00Z')).toISOString(),
    ).toBe('2026-10-03T15:45:00.000Z');
  });

  const zones = [
    'Europe/Zurich',
    'America/New_York',
    'America/Santiago', // changes at midnight
    'America/Havana', // changes at midnight
    'Australia/Sydney', // southern hemisphere
    'Australia/Lord_Howe', // 30-minute shift
    'Pacific/Chatham', // +12:45 / +13:45
    'Asia/Kolkata', // no daylight saving
  ];
  const schedules = ['30 2 * * *', '0 0 * * *', '45 1 * * *', '0 3 * * 0'];

  it.each(zones)(
    'every slot of a year in %s matches the rules (daily, weekly)',
    timeZone => {
      let slots = 0;
      for (const cron of schedules)
        slots += checkSlots(schedule(cron, timeZone), YEAR_START, YEAR_END);
      expect(slots).toBeGreaterThan(3 * 365);
    },
  );

  it.each(zones)(
    'hourly, every 15m and every 2h slots around each change in %s match the rules',
    timeZone => {
      for (const change of offsetChanges(timeZone, YEAR_START, YEAR_END))
        for (const cron of ['0 * * * *', '*/15 * * * *', '0 */2 * * *'])
          checkSlots(
            schedule(cron, timeZone),
            change - 12 * HOUR,
            change + 12 * HOUR,
          );
    },
  );

  it('every IANA zone: daily slots on the days its offset changes match the rules', () => {
    const failures: string[] = [];
    let changes = 0;
    for (const timeZone of Intl.supportedValuesOf('timeZone')) {
      for (const change of offsetChanges(timeZone, YEAR_START, YEAR_END)) {
        changes++;
        const local = new Date(change + offsetAt(timeZone, change - DAY));
        // The schedule at the local hour of the change and half an hour in: the gap or overlap.
        for (const minutes of [0, 30]) {
          const cron = `${minutes} ${local.getUTCHours()} * * *`;
          try {
            checkSlots(
              schedule(cron, timeZone),
              change - 2 * DAY,
              change + 2 * DAY,
            );
          } catch (error) {
            failures.push(
              `${timeZone} "${cron}": ${(error as Error).message.slice(
                0,
                300,
              )}`,
            );
          }
        }
      }
    }
    expect(changes).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  });
});
