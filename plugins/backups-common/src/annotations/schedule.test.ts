import {
  nextScheduledTime,
  parseSchedule,
  previousScheduledTime,
} from './schedule';

describe('parseSchedule', () => {
  it.each([
    ['hourly', '0 * * * *', 'UTC'],
    ['daily 01:00 Europe/Zurich', '0 1 * * *', 'Europe/Zurich'],
    ['Sundays 04:00 Europe/Oslo', '0 4 * * 0', 'Europe/Oslo'],
    ['weekly monday 23:30', '30 23 * * 1', 'UTC'],
    ['every 15m', '*/15 * * * *', 'UTC'],
    ['every 1m', '* * * * *', 'UTC'],
    ['every 6h', '0 */6 * * *', 'UTC'],
    ['30 2 * * 1-5 America/New_York', '30 2 * * 1-5', 'America/New_York'],
  ])('reads "%s"', (text, cron, timeZone) => {
    expect(parseSchedule(text)).toEqual({ source: text, cron, timeZone });
  });

  it.each([
    ['', /empty/],
    ['daily', /neither a cron expression/],
    ['every 7m', /must divide 60/],
    ['daily 01:00 Mars/Olympus', /not a known IANA time zone/],
    ['61 * * * *', /not a valid cron expression/],
  ])('refuses "%s" with a message', (text, message) => {
    const result = parseSchedule(text);
    expect('error' in result && result.error).toMatch(message);
  });

  it('computes slots in the schedule time zone', () => {
    const schedule = parseSchedule('daily 01:00 Europe/Zurich');
    if ('error' in schedule) throw new Error(schedule.error);
    // 01:00 in Zurich in winter is 00:00 UTC.
    expect(
      nextScheduledTime(
        schedule,
        new Date('2026-11-21T12:00:00Z'),
      ).toISOString(),
    ).toBe('2026-11-22T00:00:00.000Z');
    expect(
      previousScheduledTime(
        schedule,
        new Date('2026-11-21T12:00:00Z'),
      ).toISOString(),
    ).toBe('2026-11-21T00:00:00.000Z');
    // A slot exactly at `at` counts as the previous one.
    expect(
      previousScheduledTime(
        schedule,
        new Date('2026-11-21T00:00:00Z'),
      ).toISOString(),
    ).toBe('2026-11-21T00:00:00.000Z');
  });
});
