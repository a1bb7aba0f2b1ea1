import type { AgentContainerVolume } from './agentContainerSpec';
import type { DockerRuntime } from './DockerRuntime';

/** What a sibling container copies from a target container, found by inspecting it at run time. */
export interface SiblingTemplate {
  container: string;
  /** The image id the container runs (exactly that image, even if its tag moved since). */
  image: string;
  /** The image as the container names it, for messages and version hints. */
  imageName: string;
  user: string;
  volumes: AgentContainerVolume[];
  running: boolean;
}

/**
 * Inspects a target container for a sibling: its image and its Docker volumes, mounted at the
 * same paths with the same read-only flags. A bind mount is refused: the agent mounts Docker
 * volumes only, never host paths. tmpfs mounts hold nothing that survives a stop.
 */
export async function siblingTemplate(
  runtime: DockerRuntime,
  container: string,
): Promise<SiblingTemplate> {
  const info = await runtime.inspectContainer(container);
  const volumes: AgentContainerVolume[] = [];
  for (const mount of info.Mounts) {
    if (mount.Type === 'volume' && mount.Name) {
      volumes.push({
        volume: mount.Name,
        path: mount.Destination,
        readOnly: !mount.RW,
      });
    } else if (mount.Type === 'bind') {
      throw new Error(
        `container ${container} keeps ${mount.Destination} in a bind mount of the host folder ${mount.Source}; a sibling container only gets Docker volumes: ` +
          'move the data into a named volume, or back that folder up with the directory engine',
      );
    }
  }
  return {
    container,
    image: info.Image,
    imageName: info.Config.Image,
    user: info.Config.User ?? '',
    volumes,
    running: info.State.Running,
  };
}

/** The volume mounted at `path` in the template, or a sentence saying which setting to fix. */
export function volumeAt(
  template: SiblingTemplate,
  path: string,
  setting: string,
): AgentContainerVolume {
  const found = template.volumes.find(v => v.path === path);
  if (!found) {
    const mounted =
      template.volumes.map(v => `${v.volume} at ${v.path}`).join(', ') ||
      'none';
    throw new Error(
      `container ${template.container} has no Docker volume at ${path} (its volumes: ${mounted}); set ${setting} to where it keeps its data`,
    );
  }
  return found;
}
