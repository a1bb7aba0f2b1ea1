import type { TargetConfig } from '../config/loadConfig';
import {
  dumpTarget,
  OpenedDump,
  openDump,
  PendingSnapshot,
} from '../snapshots/backupTarget';
import type {
  ProgressListener,
  SnapshotContext,
} from '../snapshots/SnapshotContext';
import type { GroupMemberOutcome } from './groupOutcome';
import type { ResolvedGroup } from './resolveGroup';
import { GroupWindow, withGroupStopped } from './withGroupStopped';

/** How many members stream to storage at once after the cut (the machine has few cores). */
const STREAMS_AT_ONCE = 2;

export interface CutResult extends GroupWindow {
  pending: PendingSnapshot[];
  /** The writers that were running and were stopped (and started again). */
  stopped: string[];
  /** When the last member's point in time was fixed; undefined when the cut failed. */
  cutAt?: number;
}

async function inBatches<T>(
  items: T[],
  size: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(size, queue.length) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift())
        await work(item);
    }),
  );
}

/**
 * A group backup in `cut` mode: (1) the writers are stopped in parallel (docker stop, never
 * pause); (2) every member fixes its point in time at once: engines with one (`pointInTime:
 * 'backup'`: Postgres' exported snapshot, Redis' BGSAVE fork, SQLite's backup copy, Neo4j's
 * dump) open their backup, engines that can stage (volumes, folders) copy their raw bytes into
 * staging, the others (MariaDB, NATS...) are dumped whole while the writers are down; (3) the
 * writers are started again as soon as every point in time is fixed, also when a member
 * failed; (4) the opened backups and staged copies are compressed, checksummed and stored
 * afterwards, a few at a time (a staged copy is deleted once stored, or on any failure). The preflight ran before; `members` is filled in as each member goes.
 */
export async function takeCut(
  context: SnapshotContext,
  group: ResolvedGroup,
  members: GroupMemberOutcome[],
  startedAt: Date,
  running: string[],
  onProgress: ProgressListener,
): Promise<CutResult> {
  const result: CutResult = { pending: [], problems: [], stopped: running };
  const opened: Array<{
    member: GroupMemberOutcome;
    dump: OpenedDump;
    /** Copied raw into staging during the cut (a volume, a folder). */
    staged: boolean;
  }> = [];
  const memberOf = (target: TargetConfig) =>
    members.find(m => m.target === target.name)!;
  const fail = (member: GroupMemberOutcome, error: unknown) => {
    member.state = 'failed';
    member.error = (error as Error).message;
    result.problems.push(`target ${member.target} failed: ${member.error}`);
  };

  await withGroupStopped(
    context,
    group,
    running,
    'writer',
    result,
    onProgress,
    async () => {
      onProgress({ phase: 'taking the cut', bytes: 0 });
      await Promise.all(
        group.targets.map(async target => {
          const member = memberOf(target);
          const began = Date.now();
          try {
            const driver = context.driverFor(target);
            if (driver.pointInTime === 'backup' || driver.stage) {
              const staged = driver.pointInTime !== 'backup';
              const dump = await openDump(
                context,
                target,
                startedAt,
                staged ? 'staged' : 'cut',
              );
              opened.push({ member, dump, staged });
            } else {
              // No point in time of its own: the whole dump while the writers are down.
              const snapshot = await dumpTarget(
                context,
                target,
                undefined,
                startedAt,
              );
              result.pending.push(snapshot);
              member.state = 'stored';
              member.snapshotId = snapshot.ref.id;
              member.pointInTime = 'dumped while the writers were stopped';
            }
          } catch (error) {
            fail(member, error);
          } finally {
            member.phases.cutMs = Date.now() - began;
          }
        }),
      );
      if (result.problems.length === 0) result.cutAt = Date.now();
    },
  );

  if (result.cutAt === undefined) {
    // A failed cut stores nothing more: the opened backups are closed unstored.
    await Promise.all(opened.map(({ dump }) => dump.abandon()));
    return result;
  }
  await inBatches(opened, STREAMS_AT_ONCE, async ({ member, dump, staged }) => {
    const began = Date.now();
    try {
      const snapshot = await dump.store(progress =>
        onProgress({
          ...progress,
          phase: `${member.target}: ${progress.phase}`,
        }),
      );
      result.pending.push(snapshot);
      member.state = 'stored';
      member.snapshotId = snapshot.ref.id;
      member.pointInTime = staged
        ? 'copied to staging while the writers were stopped, stored afterwards'
        : 'fixed during the cut, streamed afterwards';
    } catch (error) {
      fail(member, error);
    } finally {
      member.phases.streamMs = Date.now() - began;
    }
  });
  return result;
}
