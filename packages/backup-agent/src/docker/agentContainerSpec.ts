import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type Docker from 'dockerode';

/** Labels on every container the agent creates, so they can be found (and cleaned up) later. */
export const CREATED_BY_LABEL = 'safekeep.io/created-by';
export const CREATED_BY_VALUE = 'safekeep-agent';

/** Docker's own rule for volume names: this excludes host paths ("/srv", "./data") by construction. */
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export interface AgentContainerVolume {
  /** A Docker volume name (named or anonymous); never a host path. */
  volume: string;
  /** Where it appears in the container. */
  path: string;
  readOnly: boolean;
}

/**
 * Everything a container the agent creates may have. There is deliberately no field for
 * privileges, capabilities, host namespaces, devices, ports, networks or host paths.
 */
export interface AgentContainerRequest {
  /** `helper`: volume tarballs from the helper image; `sibling`: a target container's image and volumes. */
  purpose: 'helper' | 'sibling';
  /** The target or container it works for, for its name and labels. */
  forName: string;
  image: string;
  /** Replaces the image's entrypoint (helpers); left out, the image's own one runs (siblings). */
  entrypoint?: string[];
  cmd: string[];
  /** The user to run as: a sibling keeps its original container's user; empty = the image's. */
  user?: string;
  volumes: AgentContainerVolume[];
}

function checkVolume(mount: AgentContainerVolume): void {
  if (!VOLUME_NAME.test(mount.volume)) {
    throw new Error(
      `"${mount.volume}" is not a Docker volume name; the agent mounts Docker volumes only, never host paths`,
    );
  }
  if (
    !path.posix.isAbsolute(mount.path) ||
    path.posix.normalize(mount.path) !== mount.path ||
    mount.path === '/'
  ) {
    throw new Error(
      `"${mount.path}" is not a usable mount point in a container (an absolute path other than /)`,
    );
  }
}

/** A container name from the purpose and what it is for: `safekeep-sibling-neo4j-3fa9c1`. */
function containerName(request: AgentContainerRequest): string {
  const base =
    request.forName
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 40) || 'target';
  return `safekeep-${request.purpose}-${base}-${randomBytes(3).toString(
    'hex',
  )}`;
}

/**
 * The one place that builds the create options of a container the agent starts (helper or
 * sibling): never privileged, no host namespaces, no network, no added capabilities,
 * no-new-privileges, only Docker volumes mounted, and not auto-removed (the agent removes it
 * itself, after reading its exit code and files, whatever happened).
 */
export function agentContainerSpec(
  request: AgentContainerRequest,
): Docker.ContainerCreateOptions {
  if (!request.image.trim()) throw new Error('a container needs an image');
  request.volumes.forEach(checkVolume);
  return {
    name: containerName(request),
    Image: request.image,
    ...(request.entrypoint ? { Entrypoint: request.entrypoint } : {}),
    Cmd: request.cmd,
    User: request.user ?? '',
    Env: [],
    Labels: {
      [CREATED_BY_LABEL]: CREATED_BY_VALUE,
      'safekeep.io/purpose': request.purpose,
      'safekeep.io/for': request.forName,
    },
    Tty: false,
    // Input reaches agent containers as files through the archive API, never through stdin.
    AttachStdin: false,
    OpenStdin: false,
    StdinOnce: false,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: true,
    HostConfig: {
      AutoRemove: false,
      Privileged: false,
      NetworkMode: 'none',
      IpcMode: 'private',
      PidMode: '',
      UTSMode: '',
      UsernsMode: '',
      CapAdd: [],
      SecurityOpt: ['no-new-privileges:true'],
      Binds: [],
      Devices: [],
      PortBindings: {},
      PublishAllPorts: false,
      ReadonlyRootfs: false,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      Mounts: request.volumes.map(v => ({
        Type: 'volume' as const,
        Source: v.volume,
        Target: v.path,
        ReadOnly: v.readOnly,
      })),
    },
  };
}
