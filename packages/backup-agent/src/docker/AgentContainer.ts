import { PassThrough, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { CommandFailedError } from '../exec/CommandFailedError';
import type { RunningCommand } from '../exec/CommandRunner';
import { StderrTail } from '../exec/StderrTail';
import {
  AgentContainerRequest,
  agentContainerSpec,
} from './agentContainerSpec';
import { demuxOutput } from './demuxOutput';
import { dockerReason } from './dockerErrors';
import { stderrSink } from './stderrSink';
import {
  trackAgentContainer,
  untrackAgentContainer,
} from './liveAgentContainers';

/**
 * A container the agent created (helper or sibling) for one job: files go in and out through
 * the archive API, it runs its command once, and `withAgentContainer` removes it afterwards.
 */
export class AgentContainer {
  private constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
    readonly name: string,
    private readonly what: string,
  ) {}

  static async create(
    docker: Docker,
    request: AgentContainerRequest,
  ): Promise<AgentContainer> {
    const spec = agentContainerSpec(request);
    const what = `${request.purpose} container ${spec.name} (${request.image})`;
    try {
      const container = await docker.createContainer(spec);
      trackAgentContainer(container);
      return new AgentContainer(docker, container, spec.name!, what);
    } catch (error) {
      const reason = dockerReason(error);
      const hint = /no such image/i.test(reason)
        ? `; the image must be present on the Docker host (docker pull ${request.image})`
        : '';
      throw new Error(`cannot create the ${what}: ${reason}${hint}`);
    }
  }

  get id(): string {
    return this.container.id;
  }

  inspect(): Promise<Docker.ContainerInspectInfo> {
    return this.container.inspect();
  }

  /** Extracts a tar into the container at `path` (works before it is started). */
  async putArchive(archive: Buffer | Readable, path: string): Promise<void> {
    try {
      const response = await this.container.putArchive(
        archive as NodeJS.ReadableStream,
        { path },
      );
      // dockerode resolves with the response stream; drain it so the request completes.
      (response as unknown as Readable)?.resume?.();
    } catch (error) {
      throw new Error(
        `cannot copy into ${path} in the ${this.what}: ${dockerReason(error)}`,
      );
    }
  }

  /** A tar of `path` in the container (works after it exited). */
  async getArchive(path: string): Promise<Readable> {
    try {
      return (await this.container.getArchive({ path })) as unknown as Readable;
    } catch (error) {
      throw new Error(
        `cannot copy ${path} out of the ${this.what}: ${dockerReason(error)}`,
      );
    }
  }

  /**
   * Starts the command. stdout streams as it comes (demultiplexed, with backpressure);
   * completion rejects with the exit code and the end of stderr when it exits non-zero.
   */
  async start(): Promise<RunningCommand> {
    const tail = new StderrTail();
    const stdout = new PassThrough();
    const attached = (await this.container.attach({
      stream: true,
      stdout: true,
      stderr: true,
    })) as unknown as Readable;
    const ended = new Promise<void>(resolve => {
      attached.on('end', resolve);
      attached.on('close', resolve);
      attached.on('error', () => resolve());
    });
    demuxOutput(this.docker, attached, stdout, stderrSink(tail));
    let killedWith: NodeJS.Signals | null = null;
    const command = `the ${this.what}`;
    const completion = (async () => {
      try {
        await this.container.start();
      } catch (error) {
        attached.destroy();
        throw new CommandFailedError(
          `cannot start ${command}: ${dockerReason(error)}`,
          command,
          null,
          null,
          '',
        );
      }
      const { StatusCode } = (await this.container.wait()) as {
        StatusCode: number;
      };
      await ended;
      if (StatusCode !== 0) {
        const status = killedWith
          ? `was killed (${killedWith})`
          : `exited with code ${StatusCode}`;
        const text = tail.toString();
        throw new CommandFailedError(
          `${command} ${status}${text ? `: ${text}` : ''}`,
          command,
          StatusCode,
          killedWith,
          text,
        );
      }
    })();
    completion.catch(() => undefined);
    return {
      stdout,
      completion,
      stderr: () => tail.toString(),
      kill: hard => {
        killedWith = hard ? 'SIGKILL' : 'SIGTERM';
        this.container.kill({ signal: killedWith }).catch(() => undefined);
      },
    };
  }

  /** Runs the command to its end and returns its stdout as text. */
  async run(): Promise<string> {
    const running = await this.start();
    const chunks: Buffer[] = [];
    running.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const drained = new Promise(resolve => running.stdout.on('end', resolve));
    await running.completion;
    await drained;
    return Buffer.concat(chunks).toString('utf8');
  }

  async remove(): Promise<void> {
    // v: anonymous volumes the image declares go too; named volumes are never removed this way.
    await this.container.remove({ force: true, v: true });
    untrackAgentContainer(this.container);
  }
}

/**
 * A container that exists exactly while `use` runs: created from the allowlisted spec,
 * removed afterwards whatever happened (AutoRemove is off so its exit code and files can be
 * read first). A removal failure is logged, not thrown over the real outcome.
 */
export async function withAgentContainer<T>(
  docker: Docker,
  request: AgentContainerRequest,
  log: (message: string) => void,
  use: (container: AgentContainer) => Promise<T>,
): Promise<T> {
  const container = await AgentContainer.create(docker, request);
  try {
    return await use(container);
  } finally {
    await container
      .remove()
      .catch(error =>
        log(
          `could not remove ${container.name}: ${dockerReason(
            error,
          )}; remove it with docker rm -f ${container.name}`,
        ),
      );
  }
}
