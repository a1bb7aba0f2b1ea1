import type { DockerRuntime } from '../../docker/DockerRuntime';
import { dockerReason, dockerStatus } from '../../docker/dockerErrors';
import { DropRefusedError } from '../../snapshots/errors';
import type { VolumeSettings } from './volumeSettings';

/** Every container that mounts the volume, running or not, as `name (state)`. */
async function containersUsing(
  runtime: DockerRuntime,
  volume: string,
): Promise<string[]> {
  const containers = await runtime.docker.listContainers({
    all: true,
    filters: { volume: [volume] },
  });
  return containers
    .map(c => `${(c.Names[0] ?? c.Id).replace(/^\//, '')} (${c.State})`)
    .sort();
}

function inUse(volume: string, users: string[]): DropRefusedError {
  return new DropRefusedError(
    `refusing to remove Docker volume ${volume}: container(s) ${users.join(
      ', ',
    )} use it; a restore destination is used by no container (remove them first if it really is scratch)`,
  );
}

/**
 * Removes a scratch volume a restore wrote (`--to <volume>`), as `docker volume rm` would. The
 * target's own volume is refused by name, and so is a volume any container mounts, even a
 * stopped one: that is some application's data, not a drill's copy, and Docker keeps it too.
 */
export async function removeScratchVolume(
  runtime: DockerRuntime,
  settings: VolumeSettings,
  own: VolumeSettings,
): Promise<string> {
  const volume = settings.volume;
  if (volume === own.volume) {
    throw new DropRefusedError(
      `refusing to remove Docker volume ${volume}: it is the target's own volume; only a restore destination elsewhere can be dropped`,
    );
  }
  if (!(await runtime.volumeExists(volume)))
    return `Docker volume ${volume} does not exist on ${runtime.endpoint}; nothing to drop`;
  const users = await containersUsing(runtime, volume);
  if (users.length > 0) throw inUse(volume, users);
  try {
    await runtime.docker.getVolume(volume).remove();
  } catch (error) {
    // A container that started using it since the check above: Docker answers 409.
    const usersNow =
      dockerStatus(error) === 409 ? await containersUsing(runtime, volume) : [];
    if (usersNow.length > 0) throw inUse(volume, usersNow);
    if (dockerStatus(error) === 404)
      return `Docker volume ${volume} does not exist on ${runtime.endpoint}; nothing to drop`;
    throw new Error(
      `cannot remove Docker volume ${volume}: ${dockerReason(error)}`,
    );
  }
  return `removed Docker volume ${volume} on ${runtime.endpoint}`;
}
