import fsp from 'node:fs/promises';
import os from 'node:os';
import { formatBytes } from '../../cli/formatBytes';
import { ensurePrivateFolder } from '../../fs/privateFolder';
import type { RestoreArtifact } from '../EngineDriver';
import type { PostgresSettings } from './postgresSettings';

/** Left free in the staging folder beside a staged dump, for everything else using that disk. */
const STAGING_RESERVE_BYTES = 256 * 1024 ** 2;
/** Jobs when `restoreJobs` is left out: the host's cores, at most this many. */
const DEFAULT_MAX_JOBS = 4;

/** How one dump is restored: `pg_restore --jobs` from a staged file, or one stream. */
export type RestoreMode =
  | { jobs: number; staged: true }
  | { jobs: 1; staged: false; why?: string };

function restoreJobs(settings: PostgresSettings): number {
  return (
    settings.restoreJobs ??
    Math.max(1, Math.min(DEFAULT_MAX_JOBS, os.availableParallelism()))
  );
}

/**
 * pg_restore loads tables and builds indexes with several connections (`--jobs`) only from a
 * file it can seek in, not from stdin, and not in one transaction. So a dump restored into a
 * database that does not exist yet (restored under a name of its own and renamed into place
 * once whole, so nothing is seen half done) is first read into the staging folder, which
 * verifies every byte before pg_restore starts, and restored from there with `restoreJobs`
 * connections: on the bench's 500 MiB database that took about 80 % of the one-stream time.
 * Over an existing database the restore stays one stream in one transaction (its rollback is
 * what keeps the old data), and so it does when the tools run in a container (the staged
 * file is on this host), with `restoreJobs: 1`, or when the staging folder lacks room.
 */
export async function chooseRestoreMode(
  settings: PostgresSettings,
  artifact: RestoreArtifact,
  intoNewDatabase: boolean,
  stagingDir: string,
  freeBytes: (folder: string) => Promise<number> = stagingFreeBytes,
): Promise<RestoreMode> {
  const jobs = restoreJobs(settings);
  if (!intoNewDatabase || jobs === 1 || settings.container)
    return { jobs: 1, staged: false };
  const needed = (artifact.rawBytes ?? 0) + STAGING_RESERVE_BYTES;
  const free = await freeBytes(stagingDir);
  if (artifact.rawBytes === undefined || free < needed) {
    return {
      jobs: 1,
      staged: false,
      why: `restored as one stream: a parallel restore (restoreJobs ${jobs}) stages the ${
        artifact.rawBytes === undefined
          ? 'dump, whose size is unknown,'
          : `${formatBytes(artifact.rawBytes)} dump`
      } in ${stagingDir}, which has ${formatBytes(
        free,
      )} free; free space there or point agent.staging at a larger disk`,
    };
  }
  return { jobs, staged: true };
}

async function stagingFreeBytes(folder: string): Promise<number> {
  await ensurePrivateFolder(folder);
  const stats = await fsp.statfs(folder);
  return stats.bavail * stats.bsize;
}
