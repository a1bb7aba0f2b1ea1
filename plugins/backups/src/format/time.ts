const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

const STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 hours ago", "in 20 minutes", "now". */
export function formatRelativeTime(
  iso: string,
  now: Date = new Date(),
): string {
  const diff = new Date(iso).getTime() - now.getTime();
  for (const [unit, size] of STEPS) {
    if (Math.abs(diff) >= size) {
      return relative.format(Math.round(diff / size), unit);
    }
  }
  return 'now';
}

/** An unambiguous local time with its zone, e.g. "2026-11-20 01:00:12 GMT+1". */
export function formatAbsoluteTime(iso: string): string {
  return new Date(iso).toLocaleString('sv-SE', { timeZoneName: 'short' });
}

const ISO_TIMESTAMP = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g;

/**
 * A backend sentence with its UTC timestamps (kept in ISO form in the API, so any client can
 * read them) written as local times: "succeeded at 2026-11-20 02:00:12 GMT+1".
 */
export function withLocalTimes(text: string): string {
  return text.replace(ISO_TIMESTAMP, iso => formatAbsoluteTime(iso));
}

/** A span for people: "850 ms", "42 s", "3 m 05 s", "2 h 10 m", "3 d 4 h". */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60)
    return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48)
    return `${hours} h ${String(minutes % 60).padStart(2, '0')} m`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
