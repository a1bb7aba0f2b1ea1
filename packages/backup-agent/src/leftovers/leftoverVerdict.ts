import { INCOMPLETE_GRACE_MS } from '../snapshots/pruneSnapshots';
import { snapshotIdTime } from '../storage/snapshotId';
import { parseWriterMark, writerState } from './processIdentity';

export interface LeftoverVerdict {
  remove: boolean;
  reason: string;
}

/**
 * Whether a snapshot without a manifest is a leftover to remove now, from its writer mark's
 * text (undefined: none): its writer has ended on this machine. Another machine's, or one with
 * no mark (an older agent), only once older than prune's grace; a live writer's never.
 */
export function leftoverVerdict(
  markText: string | undefined,
  id: string,
  now: Date,
): LeftoverVerdict {
  const mark = parseWriterMark(markText ?? '');
  const startedAt = snapshotIdTime(id);
  const old =
    !!startedAt && now.getTime() - startedAt.getTime() > INCOMPLETE_GRACE_MS;
  if (!mark)
    return old
      ? { remove: true, reason: 'no writer mark, older than an hour' }
      : {
          remove: false,
          reason:
            'no writer mark and younger than an hour: it may still be written (prune removes it later)',
        };
  const state = writerState(mark);
  if (state === 'gone')
    return { remove: true, reason: `its writer (pid ${mark.pid}) has ended` };
  if (state === 'live')
    return {
      remove: false,
      reason: `being written by the running process ${mark.pid}`,
    };
  return old
    ? { remove: true, reason: `written on ${mark.host}, older than an hour` }
    : {
        remove: false,
        reason: `being written on ${mark.host}, younger than an hour (prune removes it later)`,
      };
}
