import { makeRun } from '../../__testUtils__/fixtures';
import { monthlyGrowth, sizePoints } from './sizeTrend';

const now = new Date('2026-11-30T12:00:00Z');
const daysAgo = (days: number) =>
  new Date(now.getTime() - days * 86_400_000).toISOString();

describe('sizePoints', () => {
  it('keeps succeeded runs with a size inside the window, oldest first', () => {
    const runs = [
      makeRun({ id: 'new', finishedAt: daysAgo(1), bytesStored: 300 }),
      makeRun({
        id: 'failed',
        status: 'failed',
        finishedAt: daysAgo(2),
        bytesStored: null,
      }),
      makeRun({
        id: 'partial',
        status: 'partially_failed',
        finishedAt: daysAgo(3),
        bytesStored: 50,
      }),
      makeRun({ id: 'old', finishedAt: daysAgo(20), bytesStored: 100 }),
      makeRun({ id: 'too-old', finishedAt: daysAgo(40), bytesStored: 10 }),
    ];
    expect(sizePoints(runs, 30, now).map(p => [p.runId, p.bytes])).toEqual([
      ['old', 100],
      ['new', 300],
    ]);
    expect(sizePoints(runs, 90, now).map(p => p.runId)).toEqual([
      'too-old',
      'old',
      'new',
    ]);
  });
});

describe('monthlyGrowth', () => {
  it('is the steady growth per 30 days', () => {
    // 1 MiB per day for 10 days is 30 MiB per month.
    const points = Array.from({ length: 10 }, (_, i) => ({
      time: now.getTime() - (9 - i) * 86_400_000,
      bytes: 1000 * 1024 ** 2 + i * 1024 ** 2,
      runId: `r${i}`,
    }));
    expect(monthlyGrowth(points)).toBeCloseTo(30 * 1024 ** 2, 0);
  });

  it('shrinks negatively', () => {
    const points = [
      { time: 0, bytes: 2000, runId: 'a' },
      { time: 30 * 86_400_000, bytes: 1000, runId: 'b' },
    ];
    expect(monthlyGrowth(points)).toBeCloseTo(-1000);
  });

  it('needs two points at two instants', () => {
    expect(monthlyGrowth([{ time: 1, bytes: 5, runId: 'a' }])).toBeUndefined();
    expect(
      monthlyGrowth([
        { time: 1, bytes: 5, runId: 'a' },
        { time: 1, bytes: 9, runId: 'b' },
      ]),
    ).toBeUndefined();
  });
});
