import { z } from 'zod';
import { field } from '../../config/describeField';

/** S_ISUID | S_ISGID. */
const SETUID_SETGID = 0o6000;

/**
 * A restore never brings back setuid/setgid bits unless the target says so: a setuid-root
 * program planted in a backed-up folder (or in a forged snapshot) would otherwise come back as a
 * way to root when the agent restores as root. Directory and volume targets.
 */
export function restoreSetuidBitsSchema() {
  return z
    .boolean(
      field(
        'whether a restore keeps setuid/setgid bits (default false: they are cleared)',
        'true or false',
      ),
    )
    .default(false);
}

export function withoutSetuidBits(mode: number): number {
  return mode & ~SETUID_SETGID;
}

/** A `find` over a folder in a helper container that clears the bits (busybox and GNU find). */
export function clearSetuidBitsScript(folder: string): string {
  return `find ${folder} -perm /6000 ! -type l -exec chmod ug-s {} +`;
}
