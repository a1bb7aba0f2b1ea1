import fs from 'node:fs';
import os from 'node:os';

/**
 * Who is writing something (a snapshot folder, a staging lock): enough to tell, on the same
 * machine, whether that process still runs. A pid alone is not enough: an agent in a container
 * is pid 1 before and after a restart, so the process's start time and the machine's boot id
 * are recorded with it (Linux; elsewhere the pid decides).
 */
export interface WriterMark {
  host: string;
  bootId?: string;
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22). */
  pidStart?: string;
  startedAt: string;
}

function readOr(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function processStart(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`);
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields?.[19];
}

let self: WriterMark | undefined;

/** This process, as a WriterMark (computed once). */
export function thisProcess(): WriterMark {
  self ??= {
    host: os.hostname(),
    bootId: readOr('/proc/sys/kernel/random/boot_id'),
    pid: process.pid,
    pidStart: processStart(process.pid),
    startedAt: new Date().toISOString(),
  };
  return self;
}

function pidRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `live`: that process still runs here; `gone`: it ran on this machine and has ended (or the
 * machine rebooted since); `elsewhere`: another machine's, so only its age can tell.
 */
export function writerState(mark: WriterMark): 'live' | 'gone' | 'elsewhere' {
  const me = thisProcess();
  if (mark.host !== me.host) return 'elsewhere';
  if (mark.bootId && me.bootId && mark.bootId !== me.bootId) return 'gone';
  if (mark.pid === me.pid && mark.pidStart === me.pidStart) return 'live';
  if (!pidRuns(mark.pid)) return 'gone';
  if (mark.pidStart && processStart(mark.pid) !== mark.pidStart) return 'gone';
  return 'live';
}

/** A WriterMark read from JSON, or undefined when the text is not one. */
export function parseWriterMark(text: string): WriterMark | undefined {
  try {
    const value = JSON.parse(text) as Partial<WriterMark>;
    if (typeof value.host === 'string' && typeof value.pid === 'number')
      return value as WriterMark;
  } catch {
    // Unreadable: treated as no mark.
  }
  return undefined;
}
