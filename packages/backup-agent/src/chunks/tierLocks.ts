import { randomUUID } from 'node:crypto';
import {
  parseWriterMark,
  thisProcess,
  writerState,
} from '../leftovers/processIdentity';
import type { SnapshotStorage } from '../storage/SnapshotStorage';

/**
 * Locks between backups and the sweep of prune, as objects `locks/<kind>-<uuid>` of the
 * tier's shared area (restic's model: many backups at once, a sweep alone).
 *
 * Both sides write their lock first and look for the other's second, so of two that start
 * together at least one sees the other: a sweep that sees a backup skips its deletions (it
 * only marks); a backup that sees a sweep waits for it to finish before it reads which
 * chunks the tier holds. A lock is refreshed while held; one not refreshed for
 * LOCK_STALE_MS, or whose holder ran on this machine and has ended, belongs to a killed process
 * and is ignored (then removed by the next sweep).
 */
export type LockKind = 'backup' | 'sweep';

export const LOCK_STALE_MS = 30 * 60 * 1000;
const REFRESH_MS = 5 * 60 * 1000;
const WAIT_POLL_MS = 500;
/** A backup waits at most this long for a sweep before it fails. */
export const SWEEP_WAIT_MS = 10 * 60 * 1000;

export interface HeldLock {
  key: string;
  release(): Promise<void>;
}

export interface LiveLock {
  key: string;
  kind: LockKind;
  modifiedAt: Date;
}

function lockBody(kind: LockKind): Buffer {
  return Buffer.from(
    `${JSON.stringify({
      kind,
      // Who holds it (host, boot id, pid and its start): a lock of a process that has ended
      // on this machine counts as stale at once, not after LOCK_STALE_MS.
      ...thisProcess(),
      refreshed_at: new Date().toISOString(),
    })}\n`,
  );
}

/** Whether the lock's holder ran on this machine and has ended (a SIGKILLed prune or backup). */
async function holderGone(
  storage: SnapshotStorage,
  key: string,
): Promise<boolean> {
  const body = await storage.getObject(key).catch(() => undefined);
  if (!body) return true; // released meanwhile
  const holder = parseWriterMark(body.toString('utf8'));
  return !!holder && writerState(holder) === 'gone';
}

export async function acquireLock(
  storage: SnapshotStorage,
  kind: LockKind,
): Promise<HeldLock> {
  const key = `locks/${kind}-${randomUUID()}`;
  await storage.putObject(key, lockBody(kind));
  const timer = setInterval(() => {
    storage.putObject(key, lockBody(kind)).catch(() => undefined);
  }, REFRESH_MS);
  timer.unref();
  return {
    key,
    async release() {
      clearInterval(timer);
      await storage.deleteObject(key);
    },
  };
}

/** Locks of other processes that are not stale. */
export async function liveLocks(
  storage: SnapshotStorage,
  kind: LockKind,
  except?: string,
  now: Date = new Date(),
): Promise<LiveLock[]> {
  const objects = await storage.listObjects(`locks/${kind}-`);
  const live: LiveLock[] = [];
  for (const o of objects) {
    if (o.key === except) continue;
    if (now.getTime() - o.modifiedAt.getTime() >= LOCK_STALE_MS) continue;
    if (await holderGone(storage, o.key)) continue;
    live.push({ key: o.key, kind, modifiedAt: o.modifiedAt });
  }
  return live;
}

/** Stale locks: left by killed processes. */
export async function staleLocks(
  storage: SnapshotStorage,
  now: Date = new Date(),
): Promise<string[]> {
  const objects = await storage.listObjects('locks/');
  const stale: string[] = [];
  for (const o of objects) {
    if (
      now.getTime() - o.modifiedAt.getTime() >= LOCK_STALE_MS ||
      (await holderGone(storage, o.key))
    )
      stale.push(o.key);
  }
  return stale;
}

/** A backup's lock, taken once no sweep runs on the tier. */
export async function acquireBackupLock(
  storage: SnapshotStorage,
  waitMs = SWEEP_WAIT_MS,
): Promise<HeldLock> {
  const lock = await acquireLock(storage, 'backup');
  const deadline = Date.now() + waitMs;
  try {
    for (;;) {
      const sweeps = await liveLocks(storage, 'sweep');
      if (sweeps.length === 0) return lock;
      if (Date.now() > deadline) {
        throw new Error(
          `${storage.tier}: a prune is sweeping unused chunks (${sweeps
            .map(s => s.key)
            .join(', ')}) for more than ${Math.round(
            waitMs / 1000,
          )} s; try again later, or remove the lock object if its process is gone`,
        );
      }
      await new Promise(resolve => setTimeout(resolve, WAIT_POLL_MS));
    }
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
}
