import type { BackupRun } from '@safekeep/plugin-backups-common';

const DAY_MS = 86_400_000;
/** A month as the growth rate counts it. */
export const MONTH_MS = 30 * DAY_MS;

export interface SizePoint {
  /** When the snapshot was finished, ms since epoch. */
  time: number;
  /** Stored bytes of the snapshot. */
  bytes: number;
  runId: string;
}

/** Stored size of each succeeded run finished within the last `windowDays`, oldest first. */
export function sizePoints(
  runs: BackupRun[],
  windowDays: number,
  now: Date,
): SizePoint[] {
  const since = now.getTime() - windowDays * DAY_MS;
  return runs
    .filter(run => run.status === 'succeeded' && run.bytesStored !== null)
    .map(run => ({
      time: new Date(
        run.finishedAt ?? run.startedAt ?? run.createdAt,
      ).getTime(),
      bytes: run.bytesStored!,
      runId: run.id,
    }))
    .filter(point => point.time >= since && point.time <= now.getTime())
    .sort((a, b) => a.time - b.time);
}

/**
 * Growth in bytes per 30 days: the slope of a least-squares line through the points,
 * so one odd snapshot does not swing it the way first-to-last would.
 * Undefined with fewer than two points or when they all share one instant.
 */
export function monthlyGrowth(points: SizePoint[]): number | undefined {
  if (points.length < 2) return undefined;
  const meanTime = points.reduce((sum, p) => sum + p.time, 0) / points.length;
  const meanBytes = points.reduce((sum, p) => sum + p.bytes, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.time - meanTime) * (p.bytes - meanBytes);
    variance += (p.time - meanTime) ** 2;
  }
  if (variance === 0) return undefined;
  return (covariance / variance) * MONTH_MS;
}
