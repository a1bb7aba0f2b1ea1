/** Snapshot ids are UTC start times: `20260118T040000Z`, with `-2`, `-3`... when one was taken. */
const SNAPSHOT_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-\d+)?$/;

/** The time a snapshot id stands for, or undefined when it is not a snapshot id. */
export function snapshotIdTime(id: string): Date | undefined {
  const match = SNAPSHOT_TIME.exec(id);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const time = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** A time written as a snapshot id (seconds precision), e.g. for a group's backup window. */
export function timeAsSnapshotId(time: Date): string {
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}
