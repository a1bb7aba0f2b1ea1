import type { DockerRuntime } from '../../docker/DockerRuntime';

/**
 * A volume's size in bytes as the engine reports it (`docker system df -v`), for the group
 * preflight's free-space check; undefined when the engine does not say.
 */
export async function volumeSize(
  runtime: DockerRuntime,
  volume: string,
): Promise<number | undefined> {
  const usage = (await runtime.docker.df().catch(() => undefined)) as
    | { Volumes?: Array<{ Name: string; UsageData?: { Size?: number } }> }
    | undefined;
  const size = usage?.Volumes?.find(v => v.Name === volume)?.UsageData?.Size;
  return size !== undefined && size >= 0 ? size : undefined;
}
