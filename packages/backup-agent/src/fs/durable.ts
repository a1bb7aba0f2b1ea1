import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** fsync a folder so a rename inside it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A name next to `file` that no one else uses, for write-then-rename. */
export function siblingTempPath(file: string, label: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${label}-${randomBytes(6).toString('hex')}`,
  );
}

/** Whether a name is one siblingTempPath gives with this label: `.<name>.<label>-<12 hex>`. */
export function isSiblingTempName(name: string, label: string): boolean {
  return new RegExp(`^\\..+\\.${label}-[0-9a-f]{12}$`).test(name);
}

/** The label of writeFileAtomically's temp files. */
export const ATOMIC_TEMP_LABEL = 'tmp';

/** Writes a stream to a new file, fsynced unless `flush` is false. Removes the file on failure. */
export async function writeStreamToNewFile(
  source: Readable,
  file: string,
  /** Permission bits at creation (before the umask); private copies pass 0o600. */
  mode = 0o666,
  /** fsync before close; a temporary copy read back at once and removed needs none. */
  flush = true,
): Promise<number> {
  let bytes = 0;
  source.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  try {
    // `flush: true` fsyncs the descriptor before it is closed.
    await pipeline(
      source,
      fs.createWriteStream(file, { flags: 'wx', flush, mode }),
    );
  } catch (error) {
    await fsp.rm(file, { force: true });
    throw error;
  }
  return bytes;
}

/** Writes a small file atomically: temp file, fsync, rename, fsync of the folder. */
export async function writeFileAtomically(
  file: string,
  /** Several buffers are written in order, one after the other (no joined copy). */
  data: string | Buffer | readonly Buffer[],
  /** Permission bits at creation (before the umask). */
  mode = 0o666,
): Promise<void> {
  const temp = siblingTempPath(file, ATOMIC_TEMP_LABEL);
  try {
    await fsp.writeFile(temp, data, { flag: 'wx', flush: true, mode });
    await fsp.rename(temp, file);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(file));
}

export async function pathExists(file: string): Promise<boolean> {
  try {
    await fsp.lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
