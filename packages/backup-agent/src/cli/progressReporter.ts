import type { Progress } from '../snapshots/SnapshotContext';
import { formatBytes } from './formatBytes';

/** `auto`: a live line when the stream is a terminal; `json`: one JSON object per line; `none`. */
export type ProgressMode = 'auto' | 'json' | 'none';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressReporter {
  report(progress: Progress): void;
  finish(): void;
}

const HUMAN_EVERY_MS = 100;
const JSON_EVERY_MS = 1000;

function seconds(ms: number): string {
  const total = ms / 1000;
  if (total < 60) return `${total.toFixed(1)} s`;
  const minutes = Math.floor(total / 60);
  return `${minutes}m${String(Math.floor(total % 60)).padStart(2, '0')}s`;
}

/**
 * Progress of a backup, restore or verify on stderr: phase, bytes of the phase, rate and time
 * in the phase. Human lines are rewritten in place, and a phase that moved bytes is left on its
 * own line when the next one starts; JSON lines are for programs, one per phase change and at
 * most one per second in between.
 */
export function progressReporter(
  mode: ProgressMode = 'auto',
  stream: ProgressStream = process.stderr,
  now: () => number = Date.now,
): ProgressReporter {
  if (mode === 'none' || (mode === 'auto' && !stream.isTTY))
    return { report: () => undefined, finish: () => undefined };
  const started = now();
  let phase: { name: string; since: number; bytes: number } | undefined;
  let lastWrite = 0;
  let lineOpen = false;

  const rateOf = (p: { since: number; bytes: number }, at: number) => {
    const elapsed = at - p.since;
    return elapsed > 0 ? (p.bytes * 1000) / elapsed : 0;
  };
  const humanLine = (
    p: { name: string; since: number; bytes: number },
    at: number,
  ) =>
    p.bytes > 0
      ? `${p.name}  ${formatBytes(p.bytes)}  ${formatBytes(
          rateOf(p, at),
        )}/s  ${seconds(at - p.since)}`
      : `${p.name}  ${seconds(at - p.since)}`;
  const writeJson = (
    p: { name: string; since: number; bytes: number },
    at: number,
  ) => {
    stream.write(
      `${JSON.stringify({
        phase: p.name,
        bytes: p.bytes,
        bytesPerSecond: Math.round(rateOf(p, at)),
        phaseSeconds: Number(((at - p.since) / 1000).toFixed(3)),
        elapsedSeconds: Number(((at - started) / 1000).toFixed(3)),
      })}\n`,
    );
  };

  return {
    report(progress) {
      const at = now();
      const changed = !phase || phase.name !== progress.phase;
      if (changed) {
        if (phase && mode === 'auto' && phase.bytes > 0) {
          stream.write(`\r\x1b[2K${humanLine(phase, at)}\n`);
          lineOpen = false;
        }
        phase = { name: progress.phase, since: at, bytes: progress.bytes };
      } else {
        phase!.bytes = progress.bytes;
      }
      if (
        !changed &&
        at - lastWrite < (mode === 'json' ? JSON_EVERY_MS : HUMAN_EVERY_MS)
      )
        return;
      lastWrite = at;
      if (mode === 'json') {
        writeJson(phase!, at);
      } else {
        stream.write(`\r\x1b[2K${humanLine(phase!, at)}`);
        lineOpen = true;
      }
    },
    finish() {
      if (mode === 'auto' && lineOpen) stream.write('\r\x1b[2K');
    },
  };
}
