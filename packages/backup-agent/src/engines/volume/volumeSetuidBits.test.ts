import { SnapshotService } from '../../snapshots/SnapshotService';
import {
  BUSYBOX_IMAGE,
  describeWithDocker,
  removeTestResources,
  runOnce,
  testPrefix,
} from '../../testing/dockerHarness';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

jest.setTimeout(90_000);

const FILL = [
  'echo "#!/bin/sh" > /v/run-as-root && chmod 4755 /v/run-as-root',
  'echo "#!/bin/sh" > /v/run-as-group && chmod 2750 /v/run-as-group',
  'mkdir /v/shared && chmod 2775 /v/shared',
  'echo x > /v/plain && chmod 640 /v/plain',
].join(' && ');

const MODES =
  'cd /v && for f in run-as-root run-as-group shared plain; do echo "$f $(stat -c %a $f)"; done';

/**
 * Plays whoever could plant a setuid-root binary in a volume (or forge a volume snapshot): the
 * Docker archive API keeps every mode bit, so the restore must clear setuid/setgid itself.
 */
describeWithDocker('setuid and setgid bits on volume restores', docker => {
  const prefix = testPrefix('suid');
  const volume = `${prefix}-data`;
  const tempDir = useTempDir();

  beforeAll(async () => {
    await docker.createVolume({ Name: volume });
    await runOnce(
      docker,
      BUSYBOX_IMAGE,
      ['sh', '-c', FILL],
      [{ volume, path: '/v' }],
    );
  });
  afterAll(() => removeTestResources(docker, prefix));

  async function restoredModes(
    copy: string,
    extra: Record<string, unknown>,
  ): Promise<string> {
    const service = new SnapshotService(
      testConfig(
        tempDir(),
        {
          [`${prefix}-files`]: {
            engine: 'volume',
            volume,
            ...extra,
          },
        },
        undefined,
        { docker: { helperImage: BUSYBOX_IMAGE } },
      ),
    );
    const { snapshots } = await service.backup(`${prefix}-files`);
    await service.restore(`${prefix}-files`, snapshots[0].id, {
      destination: copy,
    });
    return runOnce(
      docker,
      BUSYBOX_IMAGE,
      ['sh', '-c', MODES],
      [{ volume: copy, path: '/v' }],
    );
  }

  it('clears them by default and keeps the other bits', async () => {
    expect(await restoredModes(`${prefix}-copy`, {})).toBe(
      'run-as-root 755\nrun-as-group 750\nshared 775\nplain 640\n',
    );
  });

  it('keeps them with restoreSetuidBits: true', async () => {
    expect(
      await restoredModes(`${prefix}-copy2`, { restoreSetuidBits: true }),
    ).toBe('run-as-root 4755\nrun-as-group 2750\nshared 2775\nplain 640\n');
  });
});
