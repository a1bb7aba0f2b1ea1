import type { Dirent } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Every entry under a folder except the folders themselves, descending without following symlinks. */
async function* entriesUnder(
  root: string,
): AsyncGenerator<{ entry: Dirent; full: string }> {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else yield { entry, full };
    }
  }
}

/** Counts regular files and their bytes under a folder, without following symlinks. */
export async function countTree(
  root: string,
): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const { entry, full } of entriesUnder(root)) {
    if (entry.isFile()) {
      files++;
      bytes += (await fsp.lstat(full)).size;
    }
  }
  return { files, bytes };
}

/** Every symlink under a folder, with its target as written. */
export async function listSymlinks(
  root: string,
): Promise<Array<{ link: string; target: string }>> {
  const found: Array<{ link: string; target: string }> = [];
  for await (const { entry, full } of entriesUnder(root)) {
    if (entry.isSymbolicLink())
      found.push({ link: full, target: await fsp.readlink(full) });
  }
  return found;
}
