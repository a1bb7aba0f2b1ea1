import type Redis from 'ioredis';
import { readInfo } from './redisInfo';
import { waitFor } from './waitFor';

interface SaveState {
  saves?: number;
  lastSave: number;
  inProgress: boolean;
  lastStatus: string;
}

async function saveState(client: Redis): Promise<SaveState> {
  const info = await readInfo(client, 'persistence');
  const saves = info.get('rdb_saves');
  return {
    // rdb_saves (Redis 7+) counts saves exactly; LASTSAVE has a one-second resolution.
    saves: saves === undefined ? undefined : Number(saves),
    lastSave: Number(await client.lastsave()),
    inProgress: info.get('rdb_bgsave_in_progress') === '1',
    lastStatus: info.get('rdb_last_bgsave_status') ?? 'ok',
  };
}

function moved(before: SaveState, now: SaveState): boolean {
  return before.saves !== undefined && now.saves !== undefined
    ? now.saves > before.saves
    : now.lastSave > before.lastSave;
}

/** A BGSAVE the server has forked for: its data is fixed; the file is still being written. */
export interface StartedSave {
  /** Waits until the file is written (and fails when the save failed). */
  finished(): Promise<void>;
  /** Fails when a later save has replaced the file since ours (its copy would not be our point in time). */
  assertStillLatest(): Promise<void>;
}

/**
 * Makes the server fork a fresh RDB save: records LASTSAVE (and rdb_saves), sends BGSAVE and
 * returns once the server answered, which it does after the fork, so the data the file will
 * hold is fixed then. A save already running was started before we asked, so it is awaited
 * and a new one started after it.
 */
export async function startBgsave(
  client: Redis,
  options: { timeoutMs: number; where: string; log: (m: string) => void },
): Promise<StartedSave> {
  const deadline = Date.now() + options.timeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  const timeoutMessage = () =>
    `BGSAVE on ${options.where} did not finish within ${Math.round(
      options.timeoutMs / 1000,
    )} s; raise saveTimeoutSeconds for a large dataset, or check the server's log`;

  let before = await saveState(client);
  if (before.saves === undefined) {
    // LASTSAVE counts whole seconds: start in a fresh second so a quick save is still seen.
    await new Promise(resolve =>
      setTimeout(resolve, 1000 - (Date.now() % 1000) + 10),
    );
  }
  try {
    await client.bgsave();
  } catch (error) {
    if (!/already in progress/i.test((error as Error).message))
      throw new Error(
        `BGSAVE on ${options.where} was refused: ${(error as Error).message}`,
      );
    options.log(
      `a background save was already running on ${options.where}; waiting for it, then saving again so the snapshot is not older than this backup`,
    );
    await waitFor(
      async () => ((await saveState(client)).inProgress ? undefined : true),
      { timeoutMs: remaining(), timeoutMessage },
    );
    before = await saveState(client);
    await client.bgsave();
  }
  let ours: SaveState | undefined;
  return {
    async finished() {
      ours = await waitFor(
        async () => {
          const now = await saveState(client);
          return !now.inProgress && moved(before, now) ? now : undefined;
        },
        { timeoutMs: remaining(), intervalMs: 50, timeoutMessage },
      );
      if (ours.lastStatus !== 'ok') {
        throw new Error(
          `BGSAVE on ${options.where} failed (rdb_last_bgsave_status:${ours.lastStatus}); the server's log says why (disk full, permissions on its dir?)`,
        );
      }
    },
    async assertStillLatest() {
      const now = await saveState(client);
      if (ours && (now.inProgress || moved(ours, now)))
        throw new Error(
          `another save on ${options.where} replaced the RDB file while it was copied, so the copy may be newer than this backup's point in time; run the backup again (or space the server's save rules apart)`,
        );
    },
  };
}

/** Makes the server write a fresh RDB and waits until it is written; see startBgsave. */
export async function triggerBgsave(
  client: Redis,
  options: { timeoutMs: number; where: string; log: (m: string) => void },
): Promise<void> {
  const save = await startBgsave(client, options);
  await save.finished();
}
