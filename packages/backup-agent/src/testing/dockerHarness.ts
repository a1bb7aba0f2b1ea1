/* eslint-disable jest/no-export, jest/valid-title -- a helper that builds describe blocks for test files */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { connectDocker } from '../docker/connectDocker';
import { defaultDockerSettings } from '../docker/dockerSettings';
import { tarWithFile } from '../docker/tarFiles';
import { describeUnavailable } from './services';

/** Built by scripts/build-test-images.sh from Debian packages (nothing can be pulled here). */
export const DB_IMAGE = 'safekeep-test/db:1';
export const BUSYBOX_IMAGE = 'safekeep-test/busybox:1';
export const STANDIN_IMAGE = 'safekeep-test/standin:1';

export const DOCKER_ENV = 'SAFEKEEP_TEST_DOCKER';

/**
 * Gate for tests against a real Docker Engine: SAFEKEEP_TEST_DOCKER=1 means the engine answers
 * at DOCKER_HOST or /var/run/docker.sock and the test images are built. Unset: skipped with the
 * reason (failing under SAFEKEEP_REQUIRE_SERVICES=1), like describeWithService.
 */
export function describeWithDocker(
  name: string,
  body: (docker: Docker) => void,
  images: string[] = [DB_IMAGE, BUSYBOX_IMAGE],
): void {
  if (process.env[DOCKER_ENV] !== '1') {
    describeUnavailable(
      name,
      `not run: ${DOCKER_ENV} is not set (set it to 1 when DOCKER_HOST or /var/run/docker.sock reaches a Docker Engine)`,
    );
    return;
  }
  const docker = connectDocker(defaultDockerSettings());
  describe(name, () => {
    beforeAll(async () => {
      await docker.ping();
      for (const image of images) {
        await docker
          .getImage(image)
          .inspect()
          .catch(() => {
            throw new Error(
              `image ${image} is missing: run scripts/build-test-images.sh`,
            );
          });
      }
    });
    body(docker);
  });
}

/** A prefix for the containers and volumes of one suite: `safekeep-test-<suite>-<random>`. */
export function testPrefix(suite: string): string {
  return `safekeep-test-${suite}-${randomBytes(3).toString('hex')}`;
}

export interface TestContainerOptions {
  name: string;
  image: string;
  cmd: string[];
  /** `host` to serve on a spare port of the machine; default `none`. */
  network?: 'host' | 'none';
  volumes?: Array<{ volume: string; path: string }>;
  labels?: Record<string, string>;
  /** Files put in before start (so no secret ever appears in the container's config). */
  files?: Array<{
    dir: string;
    name: string;
    content: string;
    mode?: number;
    uid?: number;
    gid?: number;
  }>;
  /** Start it (default true). */
  start?: boolean;
  user?: string;
}

/** A container for a test fixture (a database server, a stand-in), not one the agent creates. */
export async function startTestContainer(
  docker: Docker,
  options: TestContainerOptions,
): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name: options.name,
    Image: options.image,
    Cmd: options.cmd,
    Labels: { 'safekeep.test': '1', ...options.labels },
    User: options.user ?? '',
    HostConfig: {
      NetworkMode: options.network ?? 'none',
      Mounts: (options.volumes ?? []).map(v => ({
        Type: 'volume' as const,
        Source: v.volume,
        Target: v.path,
      })),
    },
  });
  for (const file of options.files ?? []) {
    await container.putArchive(
      tarWithFile(file.name, file.content, {
        mode: file.mode ?? 0o644,
        uid: file.uid,
        gid: file.gid,
      }) as unknown as NodeJS.ReadableStream,
      {
        path: file.dir,
      },
    );
  }
  if (options.start !== false) await container.start();
  return container;
}

/** Runs a command in a test container and returns its stdout; throws on a non-zero exit. */
export async function execIn(
  docker: Docker,
  container: string,
  cmd: string[],
): Promise<string> {
  const exec = await docker
    .getContainer(container)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    docker.modem.demuxStream(
      stream,
      { write: (c: Buffer) => out.push(c) } as never,
      { write: (c: Buffer) => err.push(c) } as never,
    );
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  let info = await exec.inspect();
  while (info.Running) {
    await new Promise(resolve => setTimeout(resolve, 20));
    info = await exec.inspect();
  }
  if (info.ExitCode !== 0)
    throw new Error(
      `${cmd.join(' ')} exited ${info.ExitCode}: ${Buffer.concat(
        err,
      ).toString()}`,
    );
  return Buffer.concat(out).toString();
}

/** Polls until `probe` resolves truthy. */
export async function eventually(
  probe: () => Promise<unknown>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(
    `${what} did not happen within ${timeoutMs / 1000} s${
      last ? `: ${(last as Error).message}` : ''
    }`,
  );
}

/** Removes every container and volume whose name starts with `prefix` (fixtures and leftovers). */
export async function removeTestResources(
  docker: Docker,
  prefix: string,
): Promise<void> {
  const containers = await docker.listContainers({ all: true });
  await Promise.all(
    containers
      .filter(c => c.Names.some(n => n.replace(/^\//, '').startsWith(prefix)))
      .map(c =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
  );
  const { Volumes } = await docker.listVolumes();
  await Promise.all(
    (Volumes ?? [])
      .filter(v => v.Name.startsWith(prefix))
      .map(v =>
        docker
          .getVolume(v.Name)
          .remove()
          .catch(() => undefined),
      ),
  );
}

/** Containers the agent created (helpers, siblings) for names starting with `prefix` that still exist. */
export async function leftoverAgentContainers(
  docker: Docker,
  prefix: string,
): Promise<string[]> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: ['safekeep.io/created-by=safekeep-agent'] },
  });
  return containers
    .filter(c => (c.Labels['safekeep.io/for'] ?? '').startsWith(prefix))
    .map(c => c.Names[0]);
}

/**
 * Runs a one-off fixture container (removed afterwards) and returns its stdout; throws with
 * its stderr when it exits non-zero.
 */
export async function runOnce(
  docker: Docker,
  image: string,
  cmd: string[],
  volumes: Array<{ volume: string; path: string }> = [],
): Promise<string> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (into: Buffer[]) =>
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        into.push(chunk);
        done();
      },
    });
  const [result, container] = await docker.run(
    image,
    cmd,
    [sink(out), sink(err)],
    {
      Tty: false,
      Labels: { 'safekeep.test': '1' },
      HostConfig: {
        NetworkMode: 'none',
        Mounts: volumes.map(v => ({
          Type: 'volume' as const,
          Source: v.volume,
          Target: v.path,
        })),
      },
    },
  );
  await container.remove({ force: true });
  if (result.StatusCode !== 0)
    throw new Error(
      `${cmd.join(' ')} exited ${result.StatusCode}: ${Buffer.concat(
        err,
      ).toString()}`,
    );
  return Buffer.concat(out).toString();
}

/** Every entry of a volume with owner, mode, size and type (and symlink targets): to compare content exactly. */
export function listVolume(docker: Docker, volume: string): Promise<string> {
  const script =
    'cd /v && find . | sort | while read -r f; do stat -c "%n %u:%g %a %s %F" "$f"; [ -L "$f" ] && readlink "$f"; [ -f "$f" ] && [ ! -L "$f" ] && sha256sum < "$f"; true; done';
  return runOnce(
    docker,
    BUSYBOX_IMAGE,
    ['sh', '-c', script],
    [{ volume, path: '/v' }],
  );
}

/** The calls the stand-ins recorded in a log volume: one argv array per call, in order. */
export async function standinCalls(
  docker: Docker,
  logVolume: string,
): Promise<string[][]> {
  const text = await runOnce(
    docker,
    BUSYBOX_IMAGE,
    ['sh', '-c', 'cat /standin-log/calls 2>/dev/null || true'],
    [{ volume: logVolume, path: '/standin-log' }],
  );
  return text
    .split('\n')
    .filter(Boolean)
    .map(line => line.split('\t'));
}

/** A process for a fixture container that exits at once on docker stop (PID 1 ignores SIGTERM otherwise). */
export function idleUntilStopped(before = 'true', onStop = 'true'): string[] {
  return [
    'sh',
    '-c',
    `${before}; trap '${onStop}; exit 0' TERM; while :; do sleep 0.2; done`,
  ];
}
