import type { TeamOverview } from '@safekeep/plugin-backups-common';

export interface SuccessRatePoint {
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  /** Share of that day's finished runs that succeeded, in percent; null on a day without runs. */
  percent: number | null;
  succeeded: number;
  failed: number;
}

/** The team's daily runs as a percentage per day; days without runs stay gaps, not zeros. */
export function successRatePoints(
  trend: TeamOverview['successTrend'],
): SuccessRatePoint[] {
  return trend.map(({ day, succeeded, failed }) => ({
    day,
    succeeded,
    failed,
    percent:
      succeeded + failed === 0
        ? null
        : (100 * succeeded) / (succeeded + failed),
  }));
}

function days(count: number): string {
  return `${count} ${count === 1 ? 'day' : 'days'}`;
}

/** A sentence for screen readers and the card: how many days had runs, and the worst day. */
export function describeSuccessTrend(points: SuccessRatePoint[]): string {
  const withRuns = points.filter(p => p.percent !== null);
  if (withRuns.length === 0)
    return `No backup ran in the last ${days(points.length)}.`;
  const worst = withRuns.reduce((a, b) => (b.percent! < a.percent! ? b : a));
  const failed = withRuns.reduce((sum, p) => sum + p.failed, 0);
  const ran = withRuns.reduce((sum, p) => sum + p.failed + p.succeeded, 0);
  if (failed === 0) {
    return `All ${ran} runs on ${days(withRuns.length)} succeeded.`;
  }
  return `${failed} of ${ran} runs failed on ${days(
    withRuns.length,
  )} with runs; the worst day was ${worst.day} at ${Math.round(
    worst.percent!,
  )}%.`;
}
