/** A successful run's snapshot, as the storage estimate needs it. */
export interface KeptRunSizes {
  snapshotId: string;
  /** The primary tier the snapshot was stored in; null when the run did not record it. */
  tier: string | null;
  finishedAt: number;
  bytesStored: number;
  /** What the run added to its tier; null for runs of older agents (whole files: all new). */
  bytesNew: number | null;
}

/** A snapshot a retention prune removed from a tier. */
export interface RemovedSnapshot {
  tier: string;
  snapshotId: string;
}

/**
 * Storage an entity's snapshots take in their primary tier: the oldest snapshot still kept in
 * full (every chunk it reads, `bytesStored`), then what each later kept snapshot added
 * (`bytesNew`: its new chunks, or its whole files). Snapshots a prune removed from that tier
 * are left out. Exact when retention removes the oldest snapshots first; chunks first written
 * by a removed snapshot in between and still used by a later one are not counted. Null without
 * a kept snapshot.
 */
export function storageUsedBytes(
  runs: KeptRunSizes[],
  removed: RemovedSnapshot[],
): number | null {
  const removedFrom = new Map<string, Set<string>>();
  for (const r of removed) {
    const tiers = removedFrom.get(r.snapshotId) ?? new Set<string>();
    tiers.add(r.tier);
    removedFrom.set(r.snapshotId, tiers);
  }
  const isRemoved = (run: KeptRunSizes) => {
    const tiers = removedFrom.get(run.snapshotId);
    if (!tiers) return false;
    // Without the run's tier, a removal from any tier counts: the estimate stays low, not high.
    return run.tier === null || tiers.has(run.tier);
  };
  const kept = runs
    .filter(run => !isRemoved(run))
    .sort((a, b) => a.finishedAt - b.finishedAt);
  const seen = new Set<string>();
  let total: number | null = null;
  for (const run of kept) {
    if (seen.has(run.snapshotId)) continue;
    seen.add(run.snapshotId);
    total =
      total === null
        ? run.bytesStored
        : total + (run.bytesNew ?? run.bytesStored);
  }
  return total;
}
