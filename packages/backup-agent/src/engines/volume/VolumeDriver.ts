import { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { AgentContainer } from '../../docker/AgentContainer';
import type { RunningCommand } from '../../exec/CommandRunner';
import type {
  EngineBackup,
  EngineDriver,
  ManualArtifact,
} from '../EngineDriver';
import type { DockerRuntime } from '../../docker/DockerRuntime';
import { StagedCopy, stageStream } from '../stagedCopy';
import { checkedTarBackup } from './checkedTarBackup';
import { volumeSize } from './volumeSize';
import { removeScratchVolume } from './removeScratchVolume';
import { restoreVolume } from './restoreVolume';
import { TarInspector } from './TarInspector';
import { VolumeSettings, volumeSettingsSchema } from './volumeSettings';
import { createTarHelper, MOUNT, runInVolume } from './volumeTar';

/** Counts the regular files and bytes a tar of the volume holds (what a check compares). */
async function countVolume(
  helper: AgentContainer,
): Promise<{ files: number; bytes: number }> {
  const running: RunningCommand = await helper.start();
  const inspector = new TarInspector();
  const counting = inspector.passThrough(false, () => new Error('unreachable'));
  await Promise.all([
    pipeline(
      running.stdout,
      counting,
      new Writable({ write: (_chunk, _encoding, done) => done() }),
    ),
    running.completion,
  ]);
  return { ...inspector.counts };
}

async function assertVolumeExists(
  runtime: DockerRuntime,
  volume: string,
  targetName: string,
): Promise<void> {
  if (!(await runtime.volumeExists(volume)))
    throw new Error(
      `Docker volume ${volume} does not exist on ${runtime.endpoint}; check targets.${targetName}.volume (docker volume ls)`,
    );
}

/**
 * A Docker named volume as one tar stream, written by `tar` in a helper container (the
 * docker.helperImage) that mounts the volume read-only: the seed's `docker run alpine tar`,
 * streamed instead of written to disk. Consistent only while nothing writes the volume: put
 * the containers using it in a consistency group, whose cut stages the raw tar (stage) while
 * its writers are stopped and stores it after they run again. Restore: see restoreVolume.
 */
export const volumeDriver: EngineDriver<VolumeSettings> = {
  engine: 'volume',
  capabilities: { labelDiscovery: true },
  settingsSchema: volumeSettingsSchema,
  describe: settings => `Docker volume ${settings.volume}`,
  withDestination(settings, destination) {
    const parsed = volumeSettingsSchema().safeParse({ volume: destination });
    if (!parsed.success)
      throw new Error(
        `"${destination}" is not a Docker volume name; restore a volume into another volume (it is created when missing)`,
      );
    return { ...parsed.data, restoreSetuidBits: settings.restoreSetuidBits };
  },
  serverVersion: async () => null,

  async preflight(settings, context) {
    const runtime = context.docker();
    const problems: string[] = [];
    if (!(await runtime.volumeExists(settings.volume)))
      problems.push(
        `Docker volume ${settings.volume} does not exist on ${runtime.endpoint}; check targets.${context.targetName}.volume (docker volume ls)`,
      );
    const image = runtime.settings.helperImage;
    const present = await runtime.docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!present)
      problems.push(
        `the helper image ${image} is not on the Docker Engine; docker pull ${image}, or set docker.helperImage to an image with sh and tar that is`,
      );
    return {
      problems,
      stagedCopyBytes: await volumeSize(runtime, settings.volume),
    };
  },

  async backup(settings, context): Promise<EngineBackup> {
    const runtime = context.docker();
    await assertVolumeExists(runtime, settings.volume, context.targetName);
    const users = await runtime.runningUsersOf(settings.volume);
    if (users.length > 0) {
      context.log(
        `volume ${
          settings.volume
        } is in use by running container(s) ${users.join(
          ', ',
        )}: the tarball is consistent only if they do not write meanwhile (stop them with a consistency group)`,
      );
    }
    const helper = await createTarHelper(
      runtime,
      context.targetName,
      settings.volume,
    );
    return checkedTarBackup(settings.volume, {
      via: `helper container ${runtime.settings.helperImage}`,
      open: async () => {
        const running = await helper.start();
        return { stream: running.stdout, completion: running.completion };
      },
      close: () => helper.remove(),
    });
  },

  async stage(settings, context): Promise<EngineBackup> {
    const runtime = context.docker();
    await assertVolumeExists(runtime, settings.volume, context.targetName);
    // The archive API of a created (never started) helper: the engine tars the mount itself,
    // several times faster than starting tar in it and reading its stdout.
    const helper = await createTarHelper(
      runtime,
      context.targetName,
      settings.volume,
    );
    let copy: StagedCopy;
    try {
      copy = await stageStream(
        await helper.getArchive(`${MOUNT}/.`),
        context.stagingDir,
        `${settings.volume}.tar`,
      );
    } finally {
      await helper.remove();
    }
    return checkedTarBackup(settings.volume, {
      via: `staged through the archive API of helper container ${runtime.settings.helperImage}`,
      open: async () => {
        const stream = copy.open();
        return { stream, completion: finished(stream) };
      },
      close: () => copy.remove(),
    });
  },

  async inspectDestination(settings, context) {
    const runtime = context.docker();
    if (!(await runtime.volumeExists(settings.volume)))
      return {
        empty: true,
        summary: `Docker volume ${settings.volume} does not exist yet`,
      };
    const listing = await runInVolume(
      runtime,
      context.targetName,
      settings.volume,
      `ls -A ${MOUNT}`,
      true,
    );
    const entries = listing.split('\n').filter(Boolean);
    return entries.length === 0
      ? { empty: true, summary: `Docker volume ${settings.volume} is empty` }
      : {
          empty: false,
          summary: `Docker volume ${settings.volume} holds ${
            entries.length
          } entr${entries.length === 1 ? 'y' : 'ies'}`,
        };
  },

  async restore(settings, artifacts, context) {
    if (artifacts.length !== 1)
      throw new Error(
        `a volume snapshot holds exactly one artifact, this one has ${artifacts.length}`,
      );
    await restoreVolume(
      context.docker(),
      settings.volume,
      artifacts[0],
      context,
      settings.restoreSetuidBits,
    );
  },

  dropDestination: (settings, own, context) =>
    removeScratchVolume(context.docker(), settings, own),

  async check(settings, context) {
    const runtime = context.docker();
    const helper = await createTarHelper(
      runtime,
      context.targetName,
      settings.volume,
    );
    try {
      return { volume: settings.volume, ...(await countVolume(helper)) };
    } finally {
      await helper.remove();
    }
  },

  manualRestoreSteps(settings, artifacts: ManualArtifact[]) {
    const [artifact] = artifacts;
    return [
      `1. Stop every container that uses the volume \`${settings.volume}\` (\`docker ps --filter volume=${settings.volume}\`).`,
      '2. Recreate it empty and unpack the archive into it with any image that has tar (busybox shown):',
      '',
      '```sh',
      `docker volume rm ${settings.volume} && docker volume create ${settings.volume}`,
      `${artifact.catCommand} | docker run --rm -i --network none -v ${settings.volume}:/volume busybox tar -x -f - -C /volume`,
      '```',
      '',
      `3. Compare \`docker run --rm -v ${settings.volume}:/volume busybox find /volume -type f | wc -l\` with \`details.files\` in MANIFEST.json, then start the containers again.`,
    ].join('\n');
  },
};
