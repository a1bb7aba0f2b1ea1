import fsp from 'node:fs/promises';
import path from 'node:path';

/** The bytes of a file, or of every file below a folder (0 when it is gone). */
export async function sizeOnDisk(file: string): Promise<number> {
  const stat = await fsp.lstat(file).catch(() => undefined);
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  const names = await fsp.readdir(file).catch(() => [] as string[]);
  let total = 0;
  for (const name of names) total += await sizeOnDisk(path.join(file, name));
  return total;
}
