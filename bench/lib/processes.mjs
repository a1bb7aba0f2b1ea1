// Running commands for the benches: wall time, exit status, the peak memory of a process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export const log = message =>
  process.stderr.write(`[bench:agent] ${message}\n`);

/**
 * Runs a command to completion; stdout to `stdout` (a file descriptor, 'ignore' or 'pipe');
 * rejects on a non-zero exit with the end of its stderr.
 */
export function run(
  command,
  args,
  { stdout = 'ignore', stdin = 'ignore', env, onSpawn } = {},
) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [stdin, stdout, 'pipe'],
      env: env ?? process.env,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', chunk => (out += chunk));
    child.stderr.on('data', chunk => (err = (err + chunk).slice(-4000)));
    onSpawn?.(child);
    child.on('error', reject);
    child.on('close', code =>
      code === 0
        ? resolve({ stdout: out, stderr: err })
        : reject(
            new Error(
              `${command} ${args.join(' ')} exited with ${code}: ${err.trim()}`,
            ),
          ),
    );
  });
}

/** `sh -c script` with `env` added: for pipelines of peer tools, timed as one. */
export function shell(script, env = {}) {
  return run('sh', ['-c', `set -e\n${script}`], {
    env: { ...process.env, ...env },
  });
}

export async function timed(what, work) {
  const started = process.hrtime.bigint();
  const result = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(`${what}: ${seconds.toFixed(2)} s`);
  return { seconds, result };
}

function statusField(pid, field) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined; // exited
  }
}

/** Resident memory of a process now, MiB. */
export const rssMiB = pid => statusField(pid, 'VmRSS');

/** Peak resident memory of a process so far (VmHWM), MiB; polled while it runs, for one that exits. */
export function watchPeakRss(pid) {
  let peak = 0;
  const poll = () => (peak = Math.max(peak, statusField(pid, 'VmHWM') ?? 0));
  const timer = setInterval(poll, 50);
  return {
    stop() {
      poll();
      clearInterval(timer);
      return peak;
    },
  };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const round = (value, digits = 2) =>
  value === undefined || Number.isNaN(value)
    ? null
    : Number(value.toFixed(digits));

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function commandExists(tool) {
  return run('sh', ['-c', `command -v ${tool}`]).then(
    () => true,
    () => false,
  );
}
