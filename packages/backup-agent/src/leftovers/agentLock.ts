import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  parseWriterMark,
  thisProcess,
  WriterMark,
  writerState,
} from './processIdentity';

const LOCK = /^\.agent-\d+-[0-9a-f]{8}\.lock$/;

/**
 * Marks the staging folder as used by this process (`.agent-<pid>-<random>.lock`) until `release`:
 * an agent that starts meanwhile cleans only staging files older than every live agent's
 * start, never the files this process is writing.
 */
export async function holdStagingLock(
  stagingDir: string,
): Promise<{ release(): Promise<void> }> {
  await fsp.mkdir(stagingDir, { recursive: true, mode: 0o700 });
  const me = thisProcess();
  const file = path.join(
    stagingDir,
    `.agent-${me.pid}-${randomBytes(4).toString('hex')}.lock`,
  );
  await fsp.writeFile(file, JSON.stringify(me), { mode: 0o600 });
  return { release: () => fsp.rm(file, { force: true }) };
}

/** The other processes whose lock is in the staging folder and who still run; stale locks go. */
export async function otherLiveAgents(
  stagingDir: string,
): Promise<WriterMark[]> {
  const me = thisProcess();
  const names = await fsp.readdir(stagingDir).catch(() => [] as string[]);
  const live: WriterMark[] = [];
  for (const name of names.filter(n => LOCK.test(n))) {
    const file = path.join(stagingDir, name);
    const mark = parseWriterMark(
      await fsp.readFile(file, 'utf8').catch(() => ''),
    );
    if (mark && mark.pid === me.pid && mark.pidStart === me.pidStart) continue;
    // Another machine's lock (a shared staging folder) cannot be checked: it counts as live.
    if (mark && writerState(mark) !== 'gone') live.push(mark);
    else await fsp.rm(file, { force: true });
  }
  return live;
}

export function isStagingLock(name: string): boolean {
  return LOCK.test(name);
}
