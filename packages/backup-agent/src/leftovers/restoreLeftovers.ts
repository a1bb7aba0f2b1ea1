import fsp from 'node:fs/promises';
import path from 'node:path';
import { sizeOnDisk } from './sizeOnDisk';

export interface RestoreLeftoverCleanup {
  /** Prepared copies and previous data a killed restore left beside its target. */
  removed: number;
  bytes: number;
  /** Targets whose folder swap was cut between its two renames, put back as they were. */
  rolledBack: string[];
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What a killed restore leaves beside a file or folder target: its prepared copy
 * (`.<name>.safekeep-restore-<hex>`, with SQLite's -wal/-shm) and, when a folder swap was cut
 * between its two renames, the previous data (`.<name>.safekeep-old-<hex>`) with the target
 * itself missing. That swap is rolled back: the target is put back as it was (the backend has
 * recorded the restore as interrupted; running it again restores it whole). Only leftovers
 * older than `before` (the oldest other live agent's start) are touched: a running agent's
 * restore is younger.
 */
export async function cleanRestoreLeftovers(
  livePaths: string[],
  before: number,
): Promise<RestoreLeftoverCleanup> {
  const result: RestoreLeftoverCleanup = {
    removed: 0,
    bytes: 0,
    rolledBack: [],
  };
  for (const live of livePaths) {
    const dir = path.dirname(live);
    const pattern = new RegExp(
      `^\\.${escaped(
        path.basename(live),
      )}\\.safekeep-(restore|old)-[0-9a-f]{12}(-wal|-shm|-journal)?$`,
    );
    const names = (await fsp.readdir(dir).catch(() => [] as string[])).filter(
      name => pattern.test(name),
    );
    const old = async (name: string) => {
      const stat = await fsp.lstat(path.join(dir, name)).catch(() => undefined);
      return !!stat && stat.mtimeMs < before;
    };
    const previous = names.find(name => name.includes('.safekeep-old-'));
    const missing = !(await fsp.lstat(live).catch(() => undefined));
    if (missing && previous && (await old(previous))) {
      await fsp.rename(path.join(dir, previous), live);
      result.rolledBack.push(live);
    }
    for (const name of names) {
      if (name === previous && result.rolledBack.includes(live)) continue;
      if (!(await old(name))) continue;
      result.bytes += await sizeOnDisk(path.join(dir, name));
      await fsp.rm(path.join(dir, name), { recursive: true, force: true });
      result.removed++;
    }
  }
  return result;
}
