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

/**
 * Makes the server write a fresh RDB and waits for it: records LASTSAVE (and rdb_saves), sends
 * BGSAVE, and waits until the counter moves. A save already running was started before we
 * asked, so it is awaited and a new one started after it.
 */
export async function triggerBgsave(
  client: Redis,
  options: { timeoutMs: number; where: string; log: (m: string) => void },
): Promise<void> {
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
  const after = await waitFor(
    async () => {
      const now = await saveState(client);
      return !now.inProgress && moved(before, now) ? now : undefined;
    },
    { timeoutMs: remaining(), intervalMs: 200, timeoutMessage },
  );
  if (after.lastStatus !== 'ok') {
    throw new Error(
      `BGSAVE on ${options.where} failed (rdb_last_bgsave_status:${after.lastStatus}); the server's log says why (disk full, permissions on its dir?)`,
    );
  }
}
