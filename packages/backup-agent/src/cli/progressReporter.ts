import type { Progress } from '../snapshots/SnapshotContext';
import { formatBytes } from './formatBytes';

/** Progress on stderr, rewritten in place, only when stderr is a terminal (never in --json or pipes). */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): {
  report: (progress: Progress) => void;
  finish: () => void;
} {
  if (!stream.isTTY) return { report: () => undefined, finish: () => undefined };
  let last = 0;
  let shown = false;
  return {
    report(progress) {
      const now = Date.now();
      if (now - last < 100 && progress.phase !== 'done') return;
      last = now;
      shown = true;
      stream.write(`\r\x1b[2K${progress.phase}${progress.bytes ? ` ${formatBytes(progress.bytes)}` : ''}`);
    },
    finish() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}
