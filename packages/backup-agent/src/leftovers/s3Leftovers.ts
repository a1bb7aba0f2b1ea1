import type { OpenUpload, SnapshotStorage } from '../storage/SnapshotStorage';
import { leftoverVerdict } from './leftoverVerdict';

export interface S3TierCleanup {
  /** Manifest-less snapshot prefixes removed: `tier/target/id`. */
  removed: string[];
  bytes: number;
  /** Multipart uploads aborted: `tier/target/id/artifact`. */
  aborted: string[];
  kept: Array<{ snapshot: string; reason: string }>;
}

/**
 * What a killed agent leaves on an S3 tier, for the targets this agent backs up: multipart
 * uploads it began and never completed (their parts stay stored and billed until aborted),
 * and snapshot prefixes without a manifest. Who wrote them is told by the writer mark the
 * snapshot's prefix holds while it is written (`.safekeep-writer.json`, the same as on a
 * filesystem tier): an upload belongs to the snapshot its key lies under. Removed when that
 * writer has ended on this machine, or when the snapshot is complete (its writer wrote the
 * manifest last, so an upload still open is a leftover); another machine's, or one without a
 * mark, only once older than prune's hour; a live writer's never. Keys outside
 * `<prefix>/<target>/<snapshot id>/<artifact>` are not the agent's and are never touched.
 */
export async function cleanS3Tier(
  tier: string,
  storage: SnapshotStorage,
  targets: string[],
  now: Date,
): Promise<S3TierCleanup> {
  const result: S3TierCleanup = {
    removed: [],
    bytes: 0,
    aborted: [],
    kept: [],
  };
  const open: OpenUpload[] = await (
    storage.listOpenUploads?.() ?? Promise.resolve([])
  ).catch(error => {
    // E.g. a bucket policy without s3:ListBucketMultipartUploads: the prefixes are still cleaned.
    result.kept.push({
      snapshot: `${tier} (open multipart uploads)`,
      reason: `not listed: ${(error as Error).message}`,
    });
    return [];
  });
  const abort = async (upload: OpenUpload) => {
    await storage.abortUpload?.(upload);
    result.aborted.push(
      `${tier}/${upload.ref.target}/${upload.ref.id}/${upload.name}`,
    );
  };

  for (const target of targets) {
    const uploads = open.filter(u => u.ref.target === target);
    const snapshots = await storage.listSnapshots(target);
    const complete = new Set(
      snapshots.filter(s => s.manifest.status !== 'missing').map(s => s.ref.id),
    );
    // An upload under a prefix that holds no object yet (an older agent's, without the mark)
    // is an incomplete snapshot the listing does not show.
    const incomplete = new Set([
      ...snapshots
        .filter(s => s.manifest.status === 'missing')
        .map(s => s.ref.id),
      ...uploads.map(u => u.ref.id).filter(id => !complete.has(id)),
    ]);
    for (const upload of uploads.filter(u => complete.has(u.ref.id)))
      await abort(upload);
    for (const id of [...incomplete].sort()) {
      const ref = { target, id };
      const name = `${tier}/${target}/${id}`;
      const verdict = leftoverVerdict(
        await storage.readWriterMark?.(ref),
        id,
        now,
      );
      if (!verdict.remove) {
        result.kept.push({ snapshot: name, reason: verdict.reason });
        continue;
      }
      const bytes = (await storage.storedBytes?.(ref)) ?? 0;
      const mine = uploads.filter(u => u.ref.id === id);
      // deleteSnapshot aborts the prefix's open uploads too; counted here for the report.
      await storage.deleteSnapshot(ref);
      result.aborted.push(...mine.map(u => `${name}/${u.name}`));
      result.removed.push(name);
      result.bytes += bytes;
    }
  }
  return result;
}

/** The longest the start waits for one S3 tier's cleanup before it serves anyway. */
export const S3_CLEANUP_BUDGET_MS = 30_000;

/**
 * cleanS3Tier for the agent's start: a failure or a tier that does not answer within the
 * budget (an endpoint that drops packets: the SDK has no timeout of its own) is reported as
 * kept, never delays serving for long. A cleanup still running past the budget goes on in the
 * background by the same rules; only its report is lost.
 */
export async function cleanS3TierAtStart(
  tier: string,
  storage: SnapshotStorage,
  targets: string[],
  now: Date,
  budgetMs: number = S3_CLEANUP_BUDGET_MS,
): Promise<S3TierCleanup> {
  const notCleaned = (reason: string): S3TierCleanup => ({
    removed: [],
    bytes: 0,
    aborted: [],
    kept: [{ snapshot: tier, reason: `not cleaned: ${reason}` }],
  });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<S3TierCleanup>(resolve => {
    timer = setTimeout(
      () =>
        resolve(
          notCleaned(
            `no answer within ${
              budgetMs / 1000
            } s (the next start tries again; prune removes what is older than an hour)`,
          ),
        ),
      budgetMs,
    );
  });
  try {
    return await Promise.race([
      cleanS3Tier(tier, storage, targets, now).catch(error =>
        notCleaned((error as Error).message),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
