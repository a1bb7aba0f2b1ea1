import type Redis from 'ioredis';
import type { DockerRuntime } from '../../docker/DockerRuntime';
import { dockerReason } from '../../docker/dockerErrors';
import { extractSingleFile } from '../../docker/tarFiles';

/** The server's RDB file inside its container, which the agent copies with the archive API. */
export interface ContainerRdbFile {
  container: string;
  path: string;
  copyTo(localPath: string): Promise<void>;
}

/**
 * Where the server in `container` writes its RDB (CONFIG GET dir, dbfilename), when the agent
 * may ask and the file is in that container; otherwise why not, so the caller can fall back to
 * `redis-cli --rdb` (which needs redis-cli there and sits out repl-diskless-sync-delay).
 */
export async function serverRdbInContainer(
  client: Redis,
  runtime: DockerRuntime,
  container: string,
): Promise<ContainerRdbFile | { unavailable: string }> {
  let dir: string;
  let name: string;
  try {
    const [, dirValue] = (await client.config('GET', 'dir')) as string[];
    const [, nameValue] = (await client.config(
      'GET',
      'dbfilename',
    )) as string[];
    if (!dirValue || !nameValue) throw new Error('no answer');
    dir = dirValue;
    name = nameValue;
  } catch (error) {
    return {
      unavailable: `CONFIG GET is refused (${
        (error as Error).message
      }), so the server's RDB file cannot be found`,
    };
  }
  const path = `${dir.replace(/\/$/, '')}/${name}`;
  const handle = runtime.docker.getContainer(container);
  const processes = (await handle.top().catch(() => undefined)) as
    | { Processes?: string[][] }
    | undefined;
  if (
    !processes?.Processes?.some(row =>
      row.some(column => /(redis|valkey)-server/.test(column)),
    )
  )
    return {
      unavailable: `container ${container} does not run the Redis server (docker top shows no redis-server or valkey-server), so its RDB file cannot be copied from there`,
    };
  return {
    container,
    path,
    async copyTo(localPath) {
      let archive: NodeJS.ReadableStream;
      try {
        archive = await handle.getArchive({ path });
      } catch (error) {
        throw new Error(
          `cannot copy ${path} out of container ${container}: ${dockerReason(
            error,
          )}`,
        );
      }
      await extractSingleFile(
        archive,
        localPath,
        `${path} in container ${container}`,
      );
    },
  };
}
