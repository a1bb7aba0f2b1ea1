import type { BackupHealth } from '@safekeep/plugin-backups-common';

/** How loud a health is: decides its colour, never its meaning (the word says that). */
export type HealthTone = 'ok' | 'warning' | 'error' | 'neutral';

export const HEALTH_PRESENTATION: Record<
  BackupHealth,
  { label: string; tone: HealthTone }
> = {
  ok: { label: 'OK', tone: 'ok' },
  late: { label: 'Late', tone: 'warning' },
  stale: { label: 'Stale', tone: 'warning' },
  failing: { label: 'Failing', tone: 'error' },
  never: { label: 'Never backed up', tone: 'neutral' },
  unconfigured: { label: 'Not configured', tone: 'neutral' },
  invalid: { label: 'Invalid configuration', tone: 'error' },
};
