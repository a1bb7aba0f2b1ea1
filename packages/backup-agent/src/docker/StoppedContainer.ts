import { startContainers, stopContainers } from './containerLifecycle';
import type { DockerRuntime } from './DockerRuntime';
import { restartGuard } from '../groups/restartGuard';

/**
 * A container stopped by one engine operation (a Neo4j dump needs exclusive access to its
 * files) and started again afterwards; measures the downtime. A container that was not
 * running is left alone (a consistency group already stopped it, or it was down anyway).
 */
export class StoppedContainer {
  private stoppedAt?: number;
  private startedAt?: number;
  private release: () => void = () => undefined;

  private constructor(
    private readonly runtime: DockerRuntime,
    readonly container: string,
  ) {}

  static async stopIfRunning(
    runtime: DockerRuntime,
    container: string,
    running: boolean,
    log: (m: string) => void,
    /** For a backup: what stopped it, so a signal or crash starts it again (see RestartGuard). */
    guardedAs?: string,
  ): Promise<StoppedContainer> {
    const stopped = new StoppedContainer(runtime, container);
    if (!running) return stopped;
    const result = await stopContainers(
      runtime.docker,
      [container],
      runtime.settings.stopTimeoutSeconds,
    );
    if (result.failures.length > 0)
      throw new Error(
        `cannot stop container ${container}: ${result.failures[0].error}`,
      );
    stopped.stoppedAt = result.startedAt;
    if (guardedAs)
      stopped.release = restartGuard.hold(
        runtime.docker,
        [container],
        guardedAs,
      );
    log(`stopped container ${container}`);
    return stopped;
  }

  get wasStopped(): boolean {
    return this.stoppedAt !== undefined;
  }

  /** Starts it again if this operation stopped it (once). */
  async start(log: (m: string) => void): Promise<void> {
    if (this.stoppedAt === undefined || this.startedAt !== undefined) return;
    const result = await startContainers(this.runtime.docker, [this.container]);
    if (result.failures.length > 0)
      throw new Error(
        `cannot start container ${this.container} again: ${result.failures[0].error}; start it by hand (docker start ${this.container})`,
      );
    this.startedAt = result.finishedAt;
    this.release();
    log(
      `started container ${this.container} again after ${
        this.startedAt - this.stoppedAt
      } ms`,
    );
  }

  /** Stop to start, once started again; undefined when it was not stopped. */
  get downtimeMs(): number | undefined {
    return this.stoppedAt !== undefined && this.startedAt !== undefined
      ? this.startedAt - this.stoppedAt
      : undefined;
  }
}
