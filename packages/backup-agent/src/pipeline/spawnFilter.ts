import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';

/**
 * A child process as a stream stage: bytes in on stdin, out on stdout. The readable side ends
 * only once the process has exited with 0; a non-zero exit (with the end of its stderr), a
 * failure to start, or input it did not read all fail the stream instead. A clean end of
 * stdout alone proves nothing.
 */
export function spawnFilter(command: string, args: string[]): Duplex {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let inputError: Error | undefined;
  const exited = new Promise<number | null>(resolve =>
    child.once('close', code => resolve(code)),
  );
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });

  const duplex = new Duplex({
    write(chunk, _encoding, callback) {
      // A write error (EPIPE) means the process stopped reading; its exit status says why.
      child.stdin.write(chunk, error => {
        if (error) inputError ??= error;
        callback();
      });
    },
    final(callback) {
      child.stdin.end();
      callback();
    },
    read() {
      child.stdout.resume();
    },
    destroy(error, callback) {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      callback(error);
    },
  });

  child.stdin.on('error', error => {
    inputError ??= error;
  });
  child.on('error', error =>
    duplex.destroy(new Error(`cannot run ${command}: ${error.message}`)),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) child.stdout.pause();
  });
  child.stdout.on('end', () => {
    exited.then(code => {
      if (code !== 0)
        duplex.destroy(
          new Error(`${command} exited with code ${code}: ${stderr.trim()}`),
        );
      else if (inputError)
        duplex.destroy(
          new Error(
            `${command} stopped reading its input (${inputError.message})`,
          ),
        );
      else duplex.push(null);
    });
  });
  return duplex;
}
