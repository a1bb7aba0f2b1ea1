import { applyRetention, parseRetention } from './retention';

const day = 86_400_000;
const now = new Date('2026-11-21T12:00:00Z');
const daily = Array.from(
  { length: 40 },
  (_, i) => new Date(now.getTime() - i * day),
);

describe('retention', () => {
  it('parses rules and refuses bad ones with the rule named', () => {
    expect(parseRetention('keep-last=4 keep-within=30d min=3')).toEqual({
      keepLast: 4,
      keepWithinMs: 30 * day,
      minimum: 3,
    });
    expect(parseRetention('keep-lots=4')).toEqual({
      error: expect.stringMatching(/"keep-lots" is not a retention rule/),
    });
    expect(parseRetention('keep-last=0')).toEqual({
      error: expect.stringMatching(/would keep nothing/),
    });
  });

  it('keeps the last N and prunes the rest', () => {
    const decision = applyRetention(daily, d => d, { keepLast: 4 }, now);
    expect(decision.keep.map(k => k.snapshot)).toEqual(daily.slice(0, 4));
    expect(decision.prune).toHaveLength(36);
  });

  it('lets the minimum win over keep-within when everything is old', () => {
    const old = daily.slice(20);
    const decision = applyRetention(
      old,
      d => d,
      { keepWithinMs: 7 * day, minimum: 3 },
      now,
    );
    expect(decision.keep.map(k => k.snapshot)).toEqual(old.slice(0, 3));
    expect(decision.keep[0].reasons).toEqual(['minimum']);
  });

  it('keeps one snapshot per week and month bucket', () => {
    const decision = applyRetention(
      daily,
      d => d,
      { keepWeekly: 2, keepMonthly: 2 },
      now,
    );
    const kept = decision.keep.map(k => k.snapshot.toISOString().slice(0, 10));
    expect(kept).toContain('2026-11-21'); // newest of this week and month
    expect(kept).toContain('2026-10-31'); // newest of October
    expect(decision.keep.length).toBeLessThanOrEqual(4);
  });
});
