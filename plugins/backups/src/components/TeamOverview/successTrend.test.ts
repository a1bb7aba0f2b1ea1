import { describeSuccessTrend, successRatePoints } from './successTrend';

describe('successRatePoints', () => {
  it('turns counts into a daily percentage and leaves days without runs empty', () => {
    expect(
      successRatePoints([
        { day: '2026-11-01', succeeded: 3, failed: 1 },
        { day: '2026-11-02', succeeded: 0, failed: 0 },
        { day: '2026-11-03', succeeded: 0, failed: 2 },
      ]).map(p => p.percent),
    ).toEqual([75, null, 0]);
  });
});

describe('describeSuccessTrend', () => {
  it('names the failures and the worst day', () => {
    const points = successRatePoints([
      { day: '2026-11-01', succeeded: 3, failed: 1 },
      { day: '2026-11-02', succeeded: 0, failed: 0 },
      { day: '2026-11-03', succeeded: 1, failed: 1 },
    ]);
    expect(describeSuccessTrend(points)).toBe(
      '2 of 6 runs failed on 2 days with runs; the worst day was 2026-11-03 at 50%.',
    );
  });

  it('says when every run succeeded, and when none ran', () => {
    expect(
      describeSuccessTrend(
        successRatePoints([{ day: '2026-11-01', succeeded: 4, failed: 0 }]),
      ),
    ).toBe('All 4 runs on 1 day succeeded.');
    expect(
      describeSuccessTrend(
        successRatePoints([{ day: '2026-11-01', succeeded: 0, failed: 0 }]),
      ),
    ).toBe('No backup ran in the last 1 day.');
  });
});
