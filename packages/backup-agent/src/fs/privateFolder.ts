import fsp from 'node:fs/promises';

/** Folders the agent keeps snapshots or staged copies in: only the agent's user may enter. */
export const PRIVATE_FOLDER_MODE = 0o700;
/** Files the agent writes there: only the agent's user may read them. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) 0700 and tightens it to 0700 when it already existed
 * looser (an older agent, or a folder made by hand with umask 022). A folder the agent does not
 * own (EPERM) is left as it is: its owner chose its mode.
 */
export async function ensurePrivateFolder(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  try {
    await fsp.chmod(dir, PRIVATE_FOLDER_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
  }
}
