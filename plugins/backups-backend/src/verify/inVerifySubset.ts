import { createHash } from 'node:crypto';
import type { VerifySubset } from '../config/verifyConfigSchema';

/**
 * Whether a snapshot is read in round `round` of a rotating subset. Like restic's
 * `--read-data-subset n/t` (by pack id), a snapshot's bucket comes from a hash of its id, so it
 * does not move as snapshots come and go: each one is read once every `of` rounds.
 */
export function inVerifySubset(
  snapshotId: string,
  subset: VerifySubset,
  round: number,
): boolean {
  if (subset.kind === 'all') return true;
  const bucket =
    createHash('sha256').update(snapshotId).digest().readUInt32BE(0) %
    subset.of;
  return bucket === round % subset.of;
}
