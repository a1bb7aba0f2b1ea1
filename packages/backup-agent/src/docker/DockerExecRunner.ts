import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { CommandFailedError } from '../exec/CommandFailedError';
import type {
  CommandRunner,
  CommandSpec,
  RunningCommand,
  SecretFile,
  ToolOutputFile,
} from '../exec/CommandRunner';
import { scrubSecrets } from '../exec/scrubSecrets';
import { StderrTail } from '../exec/StderrTail';
import { demuxOutput } from './demuxOutput';
import { dockerReason, dockerStatus } from './dockerErrors';
import { PID_SCRIPT, PidMarkerStderr } from './pidMarker';
import { extractSingleFile, tarWithFile } from './tarFiles';

/** Where secret and output files go in the container: /tmp, removed right after use. */
const CONTAINER_TMP = '/tmp';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Runs tools with `docker exec` in a running container: argv as given, extra env in the exec
 * (which neither the container's config nor exec inspect shows), stdin and stdout streamed,
 * the exit code read from exec inspect so a failing tool fails the run. Secret files are
 * copied in with the archive API (mode 0600, owned by the exec user) and removed after use.
 */
export class DockerExecRunner implements CommandRunner {
  readonly where: string;
  /** Every exec this runner created, in order: audits (and tests) inspect them afterwards. */
  readonly execIds: string[] = [];
  private owner?: Promise<{ uid: number; gid: number }>;

  constructor(private readonly docker: Docker, readonly containerName: string) {
    this.where = `in container ${containerName}`;
  }

  private get container(): Docker.Container {
    return this.docker.getContainer(this.containerName);
  }

  private createFailure(spec: CommandSpec, error: unknown): CommandFailedError {
    const status = dockerStatus(error);
    const reason = dockerReason(error);
    let message = `cannot run ${spec.command} in container ${this.containerName}: ${reason}`;
    if (status === 404)
      message = `cannot run ${spec.command}: container ${this.containerName} does not exist; check the target's container setting`;
    if (status === 409 && /not running|paused|restarting/i.test(reason)) {
      message = `cannot run ${spec.command}: container ${this.containerName} is not running (${reason}); the target's tools run inside it with docker exec, so it must be running`;
    }
    return new CommandFailedError(message, spec.command, null, null, '');
  }

  run(spec: CommandSpec): RunningCommand {
    const tail = new StderrTail();
    const stdout = new PassThrough();
    let pid: number | undefined;
    let killedWith: NodeJS.Signals | null = null;
    let inputError: Error | undefined;
    let connection: Readable | undefined;

    const signal = async (sig: NodeJS.Signals) => {
      if (pid === undefined) return;
      await this.execQuietly([
        'sh',
        '-c',
        `kill -s ${sig.replace('SIG', '')} "$0"`,
        String(pid),
      ]);
    };

    const stderr = new PidMarkerStderr(
      chunk => tail.push(chunk),
      found => {
        pid = found;
        // A kill asked for before the PID was known.
        if (killedWith) void signal(killedWith);
      },
    );

    const completion = (async () => {
      let exec: Docker.Exec;
      try {
        exec = await this.container.exec({
          Cmd: ['sh', '-c', PID_SCRIPT, spec.command, ...spec.args],
          Env: Object.entries(spec.env ?? {}).map(
            ([key, value]) => `${key}=${value}`,
          ),
          AttachStdin: !!spec.stdin,
          AttachStdout: true,
          AttachStderr: true,
          Tty: false,
        });
        this.execIds.push(exec.id);
        connection = (await exec.start({
          hijack: !!spec.stdin,
          stdin: !!spec.stdin,
          Tty: false,
        })) as unknown as Readable;
      } catch (error) {
        stdout.end();
        throw this.createFailure(spec, error);
      }
      const ended = new Promise<void>(resolve => {
        connection!.on('end', resolve);
        connection!.on('close', resolve);
        connection!.on('error', () => resolve());
      });
      demuxOutput(this.docker, connection, stdout, stderr);

      if (spec.stdin) {
        const input = spec.stdin;
        const socket = connection as unknown as NodeJS.WritableStream & {
          on: Readable['on'];
        };
        socket.on('error', () => undefined);
        input.on('error', error => {
          // Kill before the connection closes: the tool must not see a clean end of input.
          inputError = error;
          input.unpipe(socket);
          killedWith = 'SIGKILL';
          void signal('SIGKILL').finally(() => connection?.destroy());
        });
        input.pipe(socket);
      }

      await ended;
      const exitCode = await this.exitCodeOf(exec);
      const text = scrubSecrets(tail.toString(), spec.secrets);
      if (inputError) {
        const reason = scrubSecrets(inputError.message, spec.secrets);
        throw new CommandFailedError(
          `${spec.command} was stopped because its input failed: ${reason}`,
          spec.command,
          exitCode,
          'SIGKILL',
          text,
        );
      }
      if (exitCode === 0) return;
      if (pid === undefined && (exitCode === 126 || exitCode === 127)) {
        throw new CommandFailedError(
          `cannot run ${spec.command} in container ${
            this.containerName
          }: the container has no sh (exec needs it to run tools)${
            text ? `: ${text}` : ''
          }`,
          spec.command,
          exitCode,
          null,
          text,
        );
      }
      if (exitCode === 127) {
        throw new CommandFailedError(
          `cannot run ${spec.command} (not found): ${spec.command} is not installed in container ${this.containerName}`,
          spec.command,
          exitCode,
          null,
          text,
        );
      }
      const status = killedWith
        ? `was killed (${killedWith})`
        : `exited with code ${exitCode}`;
      throw new CommandFailedError(
        `${spec.command} ${status}${text ? `: ${text}` : ''}`,
        spec.command,
        exitCode,
        killedWith,
        text,
      );
    })();
    completion.catch(() => undefined);

    return {
      stdout,
      completion,
      stderr: () => scrubSecrets(tail.toString(), spec.secrets),
      kill: hard => {
        if (killedWith) return;
        killedWith = hard ? 'SIGKILL' : 'SIGTERM';
        void signal(killedWith);
      },
    };
  }

  /** The exit code once exec inspect says the process ended (the stream can end a moment before). */
  private async exitCodeOf(exec: Docker.Exec): Promise<number | null> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const info = await exec.inspect();
      if (!info.Running) return info.ExitCode;
      await sleep(50);
    }
    throw new Error(
      `docker exec in container ${this.containerName} still runs after its output ended`,
    );
  }

  /** Runs a small housekeeping command (rm, kill, id); returns stdout, or undefined when it failed. */
  private async execQuietly(cmd: string[]): Promise<string | undefined> {
    try {
      const exec = await this.container.exec({
        Cmd: cmd,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      this.execIds.push(exec.id);
      const stream = (await exec.start({ Tty: false })) as unknown as Readable;
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = new Promise(resolve => out.on('end', resolve));
      demuxOutput(this.docker, stream, out, new PassThrough().resume());
      await done;
      return (await this.exitCodeOf(exec)) === 0
        ? Buffer.concat(chunks).toString('utf8')
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** uid and gid of the exec user, so a secret file can be 0600 and still readable by the tools. */
  private execOwner(): Promise<{ uid: number; gid: number }> {
    this.owner ??= (async () => {
      const output = await this.execQuietly(['sh', '-c', 'id -u; id -g']);
      const [uid, gid] = (output ?? '').trim().split('\n').map(Number);
      if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
        throw new Error(
          `cannot tell which user tools run as in container ${this.containerName} (id -u failed); is it running?`,
        );
      }
      return { uid, gid };
    })();
    this.owner.catch(() => (this.owner = undefined));
    return this.owner;
  }

  private async removeFile(path: string): Promise<void> {
    if ((await this.execQuietly(['rm', '-f', path])) === undefined) {
      throw new Error(
        `could not remove ${path} from container ${this.containerName}; remove it by hand (docker exec ${this.containerName} rm -f ${path})`,
      );
    }
  }

  async writeSecretFile(
    _stagingDir: string,
    label: string,
    content: string,
  ): Promise<SecretFile> {
    const owner = await this.execOwner();
    const name = `.safekeep-${randomBytes(8).toString('hex')}-${label.replace(
      /[^A-Za-z0-9._-]/g,
      '_',
    )}`;
    try {
      await this.container.putArchive(
        tarWithFile(name, content, {
          mode: 0o600,
          ...owner,
        }) as unknown as NodeJS.ReadableStream,
        { path: CONTAINER_TMP },
      );
    } catch (error) {
      throw new Error(
        `cannot put the ${label} file into ${CONTAINER_TMP} of container ${
          this.containerName
        }: ${dockerReason(error)}`,
      );
    }
    const path = `${CONTAINER_TMP}/${name}`;
    return { path, remove: () => this.removeFile(path) };
  }

  async toolOutputFile(
    _stagingDir: string,
    label: string,
  ): Promise<ToolOutputFile> {
    const path = `${CONTAINER_TMP}/.safekeep-out-${randomBytes(8).toString(
      'hex',
    )}-${label.replace(/[^A-Za-z0-9._-]/g, '_')}`;
    return {
      path,
      moveTo: async localPath => {
        let archive: NodeJS.ReadableStream;
        try {
          archive = await this.container.getArchive({ path });
        } catch (error) {
          throw new Error(
            `cannot copy ${path} out of container ${
              this.containerName
            }: ${dockerReason(error)}`,
          );
        }
        await extractSingleFile(
          archive,
          localPath,
          `${path} in container ${this.containerName}`,
        );
        await this.removeFile(path);
      },
      remove: () => this.removeFile(path),
    };
  }
}
