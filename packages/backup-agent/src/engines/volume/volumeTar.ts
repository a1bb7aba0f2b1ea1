import type { DockerRuntime } from '../../docker/DockerRuntime';
import type { AgentContainer } from '../../docker/AgentContainer';

/** Where helper containers see the volume. */
export const MOUNT = '/volume';

/** A helper that writes a tar of the whole volume (read-only mount) to stdout. */
export function createTarHelper(
  runtime: DockerRuntime,
  forName: string,
  volume: string,
): Promise<AgentContainer> {
  return runtime.createHelper({
    forName,
    entrypoint: ['tar'],
    cmd: ['-c', '-f', '-', '-C', MOUNT, '.'],
    volumes: [{ volume, path: MOUNT, readOnly: true }],
  });
}

/** Runs `sh -c script` in a helper with the volume mounted; returns stdout. */
export function runInVolume(
  runtime: DockerRuntime,
  forName: string,
  volume: string,
  script: string,
  readOnly: boolean,
): Promise<string> {
  return runtime.withHelper(
    {
      forName,
      entrypoint: ['sh', '-c'],
      cmd: [script],
      volumes: [{ volume, path: MOUNT, readOnly }],
    },
    helper => helper.run(),
  );
}
