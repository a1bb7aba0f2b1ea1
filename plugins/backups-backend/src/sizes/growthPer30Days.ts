import type { SizePoint } from '@safekeep/plugin-backups-common';

const THIRTY_DAYS_MS = 30 * 86_400_000;

/**
 * Least-squares slope of stored bytes over time, scaled to 30 days: how fast the backups grow,
 * robust to one odd run. Null with fewer than two points or all at the same moment.
 */
export function growthPer30Days(points: SizePoint[]): number | null {
  if (points.length < 2) return null;
  const xs = points.map(p => new Date(p.at).getTime());
  const ys = points.map(p => p.bytesStored);
  const meanX = xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanY = ys.reduce((a, b) => a + b, 0) / ys.length;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < xs.length; i++) {
    covariance += (xs[i] - meanX) * (ys[i] - meanY);
    variance += (xs[i] - meanX) ** 2;
  }
  if (variance === 0) return null;
  return Math.round((covariance / variance) * THIRTY_DAYS_MS);
}
