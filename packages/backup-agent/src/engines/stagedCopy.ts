import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineBackup, ProducedArtifact } from './EngineDriver';

/** A raw copy in the staging folder; `remove` deletes it (also called by the exit hooks). */
export interface StagedCopy {
  path: string;
  bytes: number;
  open(): Readable;
  remove(): Promise<void>;
}

/**
 * Staged copies not removed yet, process-wide: if the agent is ended by a signal or crashes
 * mid-run (no finally runs then), the exit hooks remove them (removeLiveStagedCopies).
 */
const live = new Set<string>();

/** Deletes every staged copy still on disk; returns how many could not be deleted. */
export function removeLiveStagedCopies(): number {
  let left = 0;
  for (const file of live) {
    try {
      fs.rmSync(file, { force: true });
      live.delete(file);
    } catch {
      left++;
    }
  }
  return left;
}

/** How many staged copies are on disk now, for tests. */
export function liveStagedCopies(): string[] {
  return [...live];
}

/**
 * Writes a stream as is (no compression, no checksum, no fsync: the copy lives only until it
 * is stored) to a new file in the staging folder, as fast as the disk takes it. A failure
 * removes the partial file.
 */
export async function stageStream(
  source: Readable,
  stagingDir: string,
  label: string,
): Promise<StagedCopy> {
  await fsp.mkdir(stagingDir, { recursive: true, mode: 0o700 });
  const file = path.join(
    stagingDir,
    `cut-${randomBytes(6).toString('hex')}-${label.replace(
      /[^A-Za-z0-9._-]/g,
      '_',
    )}`,
  );
  live.add(file);
  const remove = async () => {
    await fsp.rm(file, { force: true });
    live.delete(file);
  };
  let bytes = 0;
  source.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  try {
    await pipeline(
      source,
      fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }),
    );
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    path: file,
    bytes,
    open: () => fs.createReadStream(file, { highWaterMark: 1 << 20 }),
    remove,
  };
}

/**
 * Runs a whole backup into the staging folder, each artifact raw, and returns a backup that
 * reads those copies: what stage() does for engines whose own artifact stream is already the
 * cheapest copy (a folder's tar). The original backup is closed once copied; the copies go in
 * the returned backup's close(), and on any failure here.
 */
export async function stageBackup(
  backup: EngineBackup,
  stagingDir: string,
  label: string,
): Promise<EngineBackup> {
  const staged: Array<{ artifact: ProducedArtifact; copy: StagedCopy }> = [];
  let details: Record<string, unknown>;
  let dependsOn: string[] | undefined;
  try {
    for await (const artifact of backup.artifacts()) {
      const copy = await stageStream(
        artifact.stream,
        stagingDir,
        `${label}-${artifact.name}`,
      );
      staged.push({ artifact, copy });
      await artifact.completion;
    }
    details = await backup.details();
    dependsOn = backup.dependsOn?.();
  } catch (error) {
    await Promise.all(staged.map(s => s.copy.remove()));
    throw error;
  } finally {
    await backup.close();
  }
  return {
    async *artifacts() {
      for (const { artifact, copy } of staged)
        yield {
          name: artifact.name,
          description: artifact.description,
          stream: copy.open(),
        };
    },
    details: async () => details,
    ...(dependsOn ? { dependsOn: () => dependsOn! } : {}),
    close: async () => {
      await Promise.all(staged.map(s => s.copy.remove()));
    },
  };
}
