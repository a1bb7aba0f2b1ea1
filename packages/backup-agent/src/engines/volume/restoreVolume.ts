import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import type { DockerRuntime } from '../../docker/DockerRuntime';
import { tarWithDirectory } from '../../docker/tarFiles';
import { UnsafeArchiveError } from '../directory/DirectoryDriver';
import type { EngineContext, RestoreArtifact } from '../EngineDriver';
import { TarInspector } from './TarInspector';
import {
  clearSetuidBitsScript,
  withoutSetuidBits,
} from '../directory/setuidBits';
import { MOUNT, runInVolume } from './volumeTar';

/**
 * Moves the old content aside, the restored content up, and removes the old one: the volume
 * holds either the old or the new tree at every moment a name is looked up, never a mix of
 * half of each. The root folder takes the mode and owner the archive recorded for "." (read
 * from the archive as it streamed past, not left to how Docker treats an existing folder).
 */
function swapScript(
  staging: string,
  old: string,
  root: TarInspector['root'],
  restoreSetuidBits: boolean,
): string {
  const mode = root?.mode ?? 0;
  const rootMode = restoreSetuidBits ? mode : withoutSetuidBits(mode);
  return [
    'set -e',
    `cd ${MOUNT}`,
    // Docker's archive API keeps every mode bit; setuid/setgid are cleared before the swap.
    ...(restoreSetuidBits ? [] : [clearSetuidBitsScript(staging)]),
    `mkdir ${old}`,
    `for e in * .[!.]* ..?*; do`,
    `  [ -e "$e" ] || [ -L "$e" ] || continue`,
    `  case "$e" in ${staging}|${old}) continue ;; esac`,
    `  mv "$e" ${old}/`,
    'done',
    `for e in ${staging}/* ${staging}/.[!.]* ${staging}/..?*; do`,
    `  [ -e "$e" ] || [ -L "$e" ] || continue`,
    `  mv "$e" .`,
    'done',
    ...(root
      ? [`chown ${root.uid}:${root.gid} . && chmod ${rootMode.toString(8)} .`]
      : []),
    `rm -rf ${staging} ${old}`,
  ].join('\n');
}

/**
 * Restores a volume tarball: refuses while a running container uses the volume, uploads the
 * archive with the archive API into a staging folder inside the volume while every entry is
 * judged by the directory engine's safety rules (the upload stops at the first unsafe entry),
 * and only when the whole stream arrived intact and safe swaps it into place with a helper.
 */
export async function restoreVolume(
  runtime: DockerRuntime,
  volume: string,
  artifact: RestoreArtifact,
  context: EngineContext,
  /** Keep setuid/setgid bits (the target's restoreSetuidBits); cleared by default. */
  restoreSetuidBits = false,
): Promise<void> {
  const users = await runtime.runningUsersOf(volume);
  if (users.length > 0) {
    throw new Error(
      `volume ${volume} is used by running container(s) ${users.join(
        ', ',
      )}: stop them first (or restore as a consistency group, which stops them); nothing was changed`,
    );
  }
  const created = !(await runtime.volumeExists(volume));
  if (created) await runtime.docker.createVolume({ Name: volume });
  const id = randomBytes(6).toString('hex');
  const staging = `.safekeep-restore-${id}`;
  const old = `.safekeep-old-${id}`;
  let uploaded = false;
  const inspector = new TarInspector(artifact.recordedFiles);
  try {
    await runtime.withHelper(
      {
        forName: context.targetName,
        cmd: ['true'],
        entrypoint: [],
        volumes: [{ volume, path: MOUNT, readOnly: false }],
      },
      async helper => {
        await helper.putArchive(
          tarWithDirectory(staging, { mode: 0o700 }),
          MOUNT,
        );
        const checked = inspector.passThrough(
          true,
          problems => new UnsafeArchiveError(problems),
        );
        const upload = new PassThrough();
        const feeding = pipeline(await artifact.open(), checked, upload);
        await Promise.all([
          helper.putArchive(upload, `${MOUNT}/${staging}`),
          feeding,
        ]);
        await inspector.finish();
        if (inspector.problems.length > 0)
          throw new UnsafeArchiveError(inspector.problems);
      },
    );
    uploaded = true;
    await runInVolume(
      runtime,
      context.targetName,
      volume,
      swapScript(staging, old, inspector.root, restoreSetuidBits),
      false,
    );
    context.log(`restored volume ${volume}`);
  } catch (error) {
    if (uploaded) {
      throw new Error(
        `restoring volume ${volume} failed while swapping the content: the previous content is in ${old} and the restored one in ${staging} inside the volume; move them back by hand: ${
          (error as Error).message
        }`,
      );
    }
    if (created)
      await runtime.docker
        .getVolume(volume)
        .remove()
        .catch(() => undefined);
    else
      await runInVolume(
        runtime,
        context.targetName,
        volume,
        `rm -rf ${MOUNT}/${staging}`,
        false,
      ).catch(() => undefined);
    if (error instanceof UnsafeArchiveError) throw error;
    throw new Error(
      `restoring volume ${volume} failed, the volume was not changed: ${
        (error as Error).message
      }`,
    );
  }
}
