import { SNAPSHOT_ID_PATTERN } from '@safekeep/plugin-backups-common';

export { SNAPSHOT_ID_PATTERN };

export function formatSnapshotId(at: Date, sequence = 1): string {
  const base = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return sequence > 1 ? `${base}-${sequence}` : base;
}

export function isSnapshotId(value: string): boolean {
  return SNAPSHOT_ID_PATTERN.test(value);
}

/** When the snapshot was started, read from its id. */
export function snapshotIdTime(id: string): Date | undefined {
  const m = SNAPSHOT_ID_PATTERN.exec(id);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}
