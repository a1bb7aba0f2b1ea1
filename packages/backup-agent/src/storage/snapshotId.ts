/** Snapshot ids are UTC timestamps, `20260118T040000Z`, with `-2`, `-3`... when one is taken. */
export const SNAPSHOT_ID_PATTERN =
  /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d{1,4}))?$/;

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
