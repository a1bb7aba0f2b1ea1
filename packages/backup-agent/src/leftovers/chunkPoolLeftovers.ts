import fsp from 'node:fs/promises';
import path from 'node:path';
import { ATOMIC_TEMP_LABEL, isSiblingTempName } from '../fs/durable';
import { SHARED_AREA } from '../storage/SnapshotStorage';

/**
 * A killed backup's or prune's half-written pack or lock in a filesystem tier's chunk area: the
 * temp file of a write-then-rename that never got renamed. Listing skips such names, so neither
 * prune nor the sweep ever removes them; the agent's start does, when they are older than every
 * running agent (a live one's write is newer than its start).
 */
export async function cleanChunkPoolTemps(
  tierRoot: string,
  before: number,
): Promise<{ removed: number; bytes: number }> {
  const result = { removed: 0, bytes: 0 };
  const walk = async (dir: string): Promise<void> => {
    const entries = await fsp
      .readdir(dir, { withFileTypes: true })
      .catch(() => []);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (
        entry.isFile() &&
        isSiblingTempName(entry.name, ATOMIC_TEMP_LABEL)
      ) {
        const stat = await fsp.lstat(full).catch(() => undefined);
        if (!stat || stat.mtimeMs >= before) continue;
        await fsp.rm(full, { force: true });
        result.removed++;
        result.bytes += stat.size;
      }
    }
  };
  await walk(path.join(tierRoot, SHARED_AREA));
  return result;
}
