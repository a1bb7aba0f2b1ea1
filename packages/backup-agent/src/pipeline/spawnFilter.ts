import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';

/**
 * A child process as a stream stage: bytes in on stdin, out on stdout. Fails the stream when
 * the process cannot start or exits non-zero (with the end of its stderr in the message).
 */
export function spawnFilter(command: string, args: string[]): Duplex {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout });
  child.on('error', error => duplex.destroy(new Error(`cannot run ${command}: ${error.message}`)));
  child.on('close', code => {
    if (code !== 0) duplex.destroy(new Error(`${command} exited with code ${code}: ${stderr.trim()}`));
  });
  duplex.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return duplex;
}
