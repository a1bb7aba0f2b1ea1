/** A 0..1 share as a whole percentage, or with one decimal just below 100 so 99.6 % never reads as 100 %. */
export function formatPercent(share: number): string {
  const percent = share * 100;
  if (percent > 99 && percent < 100) return `${Math.floor(percent * 10) / 10}%`;
  return `${Math.round(percent)}%`;
}
