import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { AgentContainerRequest } from './agentContainerSpec';
import { AgentContainer, withAgentContainer } from './AgentContainer';
import { connectDocker, describeDockerEndpoint } from './connectDocker';
import { dockerReason, dockerStatus, unreachableHint } from './dockerErrors';
import { DockerExecRunner } from './DockerExecRunner';
import type { DockerSettings } from './dockerSettings';

/**
 * The agent's access to one Docker Engine: exec runners for targets in containers, helper and
 * sibling containers, container inspection. Created on first use, so an agent without
 * container targets never talks to Docker.
 */
export class DockerRuntime {
  readonly endpoint: string;
  readonly docker: Docker;
  private readonly runners = new Map<string, DockerExecRunner>();

  constructor(
    readonly settings: DockerSettings,
    private readonly log: (message: string) => void = () => undefined,
    docker?: Docker,
  ) {
    this.endpoint = describeDockerEndpoint(settings);
    this.docker = docker ?? connectDocker(settings);
  }

  /** Throws a sentence saying how to fix access when the engine does not answer. */
  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (error) {
      throw new Error(
        unreachableHint(error, this.endpoint) ??
          `the Docker Engine at ${
            this.endpoint
          } does not answer: ${dockerReason(error)}`,
      );
    }
  }

  execRunner(container: string): DockerExecRunner {
    let runner = this.runners.get(container);
    if (!runner) {
      runner = new DockerExecRunner(this.docker, container);
      this.runners.set(container, runner);
    }
    return runner;
  }

  /** inspect, with "does not exist" and "cannot reach Docker" said plainly. */
  async inspectContainer(
    name: string,
    role = 'container',
  ): Promise<Docker.ContainerInspectInfo> {
    try {
      return await this.docker.getContainer(name).inspect();
    } catch (error) {
      if (dockerStatus(error) === 404)
        throw new Error(
          `${role} ${name} does not exist on the Docker Engine at ${this.endpoint}`,
        );
      throw new Error(
        unreachableHint(error, this.endpoint) ??
          `cannot inspect ${role} ${name}: ${dockerReason(error)}`,
      );
    }
  }

  /** A helper container from docker.helperImage; the caller must remove() it. */
  createHelper(
    request: Omit<AgentContainerRequest, 'purpose' | 'image'>,
  ): Promise<AgentContainer> {
    return AgentContainer.create(this.docker, {
      ...request,
      purpose: 'helper',
      image: this.settings.helperImage,
    });
  }

  /** Whether a Docker volume exists. */
  async volumeExists(name: string): Promise<boolean> {
    try {
      await this.docker.getVolume(name).inspect();
      return true;
    } catch (error) {
      if (dockerStatus(error) === 404) return false;
      throw new Error(
        unreachableHint(error, this.endpoint) ??
          `cannot inspect volume ${name}: ${dockerReason(error)}`,
      );
    }
  }

  /** Names of running containers that mount a volume. */
  async runningUsersOf(volume: string): Promise<string[]> {
    const containers = await this.docker.listContainers({
      filters: { volume: [volume], status: ['running'] },
    });
    return containers.map(c => (c.Names[0] ?? c.Id).replace(/^\//, ''));
  }

  /** A tar of `path` in a container (the archive API: works whether it runs or not). */
  async copyOut(container: string, path: string): Promise<Readable> {
    try {
      return (await this.docker
        .getContainer(container)
        .getArchive({ path })) as unknown as Readable;
    } catch (error) {
      throw new Error(
        `cannot copy ${path} out of container ${container}: ${dockerReason(
          error,
        )}`,
      );
    }
  }

  /** Extracts a tar stream into `path` of a container (the archive API). */
  async copyIn(
    container: string,
    archive: Readable | Buffer,
    path: string,
  ): Promise<void> {
    try {
      const response = await this.docker
        .getContainer(container)
        .putArchive(archive as NodeJS.ReadableStream, { path });
      (response as unknown as Readable)?.resume?.();
    } catch (error) {
      throw new Error(
        `cannot copy into ${path} of container ${container}: ${dockerReason(
          error,
        )}`,
      );
    }
  }

  /** A helper container from docker.helperImage (sh and tar), removed after `use`. */
  withHelper<T>(
    request: Omit<AgentContainerRequest, 'purpose' | 'image'>,
    use: (container: AgentContainer) => Promise<T>,
  ): Promise<T> {
    return withAgentContainer(
      this.docker,
      { ...request, purpose: 'helper', image: this.settings.helperImage },
      this.log,
      use,
    );
  }

  /** A sibling container (a target container's image and volumes), removed after `use`. */
  withSibling<T>(
    request: Omit<AgentContainerRequest, 'purpose'>,
    use: (container: AgentContainer) => Promise<T>,
  ): Promise<T> {
    return withAgentContainer(
      this.docker,
      { ...request, purpose: 'sibling' },
      this.log,
      use,
    );
  }
}
