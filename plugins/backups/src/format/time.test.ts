import {
  formatAbsoluteTime,
  formatRelativeTime,
  formatSpan,
  withLocalTimes,
} from './time';

describe('formatRelativeTime', () => {
  const now = new Date('2026-11-20T12:00:00Z');
  it('says how long ago and how far ahead', () => {
    expect(formatRelativeTime('2026-11-20T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelativeTime('2026-11-20T12:20:00Z', now)).toBe(
      'in 20 minutes',
    );
    expect(formatRelativeTime('2026-11-18T12:00:00Z', now)).toBe('2 days ago');
    expect(formatRelativeTime('2026-11-20T12:00:00.400Z', now)).toBe('now');
  });
});

describe('formatSpan', () => {
  it.each([
    [850, '850 ms'],
    [42_000, '42 s'],
    [185_000, '3 m 05 s'],
    [7_800_000, '2 h 10 m'],
    [3 * 86_400_000 + 4 * 3_600_000, '3 d 4 h'],
  ])('%d ms reads as %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });
});

describe('withLocalTimes', () => {
  it("writes a reason's ISO timestamps as local times and leaves the rest", () => {
    const iso = '2026-11-21T03:16:43.876Z';
    const text = withLocalTimes(
      `The last backup succeeded at ${iso}. The one at 2026-11-20T03:16:43Z failed.`,
    );
    expect(text).toBe(
      `The last backup succeeded at ${formatAbsoluteTime(
        iso,
      )}. The one at ${formatAbsoluteTime('2026-11-20T03:16:43Z')} failed.`,
    );
    expect(text).not.toContain('T03:16');
    expect(withLocalTimes('No backup has succeeded yet.')).toBe(
      'No backup has succeeded yet.',
    );
  });
});
