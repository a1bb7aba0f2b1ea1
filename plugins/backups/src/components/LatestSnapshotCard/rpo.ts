/** Whether the last success is recent enough for the RPO; undefined without RPO or success. */
export function isRpoMet(
  lastSuccessAt: string | null | undefined,
  rpoMs: number | null | undefined,
  now: Date,
): boolean | undefined {
  if (!lastSuccessAt || !rpoMs) return undefined;
  return now.getTime() - new Date(lastSuccessAt).getTime() <= rpoMs;
}
