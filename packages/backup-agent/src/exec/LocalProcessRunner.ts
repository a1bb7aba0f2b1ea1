import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, pipeline } from 'node:stream';
import { childEnvironment } from './childEnvironment';
import { CommandFailedError } from './CommandFailedError';
import type {
  CommandRunner,
  CommandSpec,
  RunningCommand,
  SecretFile,
  ToolOutputFile,
} from './CommandRunner';
import { scrubSecrets } from './scrubSecrets';
import { StderrTail } from './StderrTail';
import { ensurePrivateFolder } from '../fs/privateFolder';

function startFailure(
  spec: CommandSpec,
  error: NodeJS.ErrnoException,
): CommandFailedError {
  const hint =
    error.code === 'ENOENT'
      ? `: ${spec.command} is not installed or not on the agent's PATH`
      : '';
  return new CommandFailedError(
    `cannot run ${spec.command} (${error.code ?? error.message})${hint}`,
    spec.command,
    null,
    null,
    '',
  );
}

/** Runs tools as child processes of the agent, without a shell. */
export class LocalProcessRunner implements CommandRunner {
  readonly where = 'on this host';

  run(spec: CommandSpec): RunningCommand {
    const child = spawn(spec.command, spec.args, {
      env: childEnvironment(spec.env),
      stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const stderr = new StderrTail();
    child.stderr!.on('data', chunk => stderr.push(chunk));
    // Read from the start into a stream of our own: Node discards a child's stdout that no one
    // reads when the child exits (child_process flushStdio), so a fast tool's whole output
    // (a small dump) was lost when the consumer attached after the exit. pipeline keeps the
    // backpressure (the tool waits while the consumer does) and passes a destroy back.
    const stdout = new PassThrough();
    if (child.stdout) pipeline(child.stdout, stdout, () => undefined);
    // A tool that cannot start has no stdout; give callers a stream that simply ends.
    else stdout.end();

    let inputError: Error | undefined;
    if (spec.stdin && child.stdin) {
      const input = spec.stdin;
      // The tool exiting early closes its stdin: its exit status tells what happened.
      child.stdin.on('error', () => undefined);
      input.on('error', error => {
        // Kill before closing stdin: a tool seeing a clean EOF could commit a partial input.
        inputError = error;
        child.kill('SIGKILL');
        input.unpipe(child.stdin!);
      });
      input.pipe(child.stdin);
    }

    const completion = new Promise<void>((resolve, reject) => {
      child.on('error', (error: NodeJS.ErrnoException) => {
        // Only a failure to start ends here; a started tool reports through 'close'.
        if (child.pid === undefined) reject(startFailure(spec, error));
      });
      child.on('close', (code, signal) => {
        const tail = scrubSecrets(stderr.toString(), spec.secrets);
        if (inputError) {
          const reason = scrubSecrets(inputError.message, spec.secrets);
          reject(
            new CommandFailedError(
              `${spec.command} was stopped because its input failed: ${reason}`,
              spec.command,
              code,
              signal,
              tail,
            ),
          );
        } else if (code === 0) {
          resolve();
        } else {
          const status = signal
            ? `was killed (${signal})`
            : `exited with code ${code}`;
          reject(
            new CommandFailedError(
              `${spec.command} ${status}${tail ? `: ${tail}` : ''}`,
              spec.command,
              code,
              signal,
              tail,
            ),
          );
        }
      });
    });
    // Callers may attach late; an unobserved failure must not crash the agent.
    completion.catch(() => undefined);

    return {
      stdout,
      completion,
      stderr: () => scrubSecrets(stderr.toString(), spec.secrets),
      kill: hard => {
        if (child.exitCode === null && child.signalCode === null)
          child.kill(hard ? 'SIGKILL' : 'SIGTERM');
      },
    };
  }

  async writeSecretFile(
    stagingDir: string,
    label: string,
    content: string,
  ): Promise<SecretFile> {
    await ensurePrivateFolder(stagingDir);
    const safeLabel = label.replace(/[^A-Za-z0-9._-]/g, '_');
    const file = path.join(
      stagingDir,
      `.secret-${randomBytes(8).toString('hex')}-${safeLabel}`,
    );
    // `wx` refuses an existing file (no following a planted symlink); the mode applies at creation.
    await fsp.writeFile(file, content, { flag: 'wx', mode: 0o600 });
    return { path: file, remove: () => fsp.rm(file, { force: true }) };
  }

  async toolOutputFile(
    stagingDir: string,
    label: string,
  ): Promise<ToolOutputFile> {
    await ensurePrivateFolder(stagingDir);
    const file = path.join(
      stagingDir,
      `.out-${randomBytes(8).toString('hex')}-${label.replace(
        /[^A-Za-z0-9._-]/g,
        '_',
      )}`,
    );
    return {
      path: file,
      // The tool created the file with its own umask (redis-cli: 0644); it is private once done.
      moveTo: async localPath => {
        await fsp.chmod(file, 0o600);
        if (localPath !== file) await fsp.rename(file, localPath);
      },
      remove: () => fsp.rm(file, { force: true }),
    };
  }
}
