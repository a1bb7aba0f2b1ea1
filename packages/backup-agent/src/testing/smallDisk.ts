/* eslint-disable jest/no-export, jest/valid-title, jest/valid-describe-callback -- a helper that builds describe blocks */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeUnavailable } from './services';

export interface SmallDisk {
  path: string;
  /** Gives the disk `bytes` of room (remount), e.g. after a test filled it. */
  resize(bytes: number): void;
  unmount(): void;
}

/** A tmpfs of `bytes`: a disk that fills up for real (ENOSPC), which only root can mount. */
export function mountSmallDisk(bytes: number): SmallDisk {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  return {
    path: dir,
    resize(size) {
      execFileSync('mount', ['-o', `remount,size=${size}`, dir]);
    },
    unmount() {
      execFileSync('umount', [dir]);
      fs.rmdirSync(dir);
    },
  };
}

/**
 * A suite that fills disks: it runs as root (CI and the agent's container tests do), and is
 * reported as not run, with the reason, elsewhere.
 */
export function describeWithSmallDisks(name: string, body: () => void): void {
  if (process.getuid?.() === 0) {
    describe(name, body);
    return;
  }
  describeUnavailable(name, 'not run: mounting a small tmpfs needs root');
}
