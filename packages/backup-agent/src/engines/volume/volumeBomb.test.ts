import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import * as tar from 'tar';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { craftSnapshot } from '../../testing/craftSnapshot';
import {
  BUSYBOX_IMAGE,
  describeWithDocker,
  leftoverAgentContainers,
  listVolume,
  removeTestResources,
  runOnce,
  testPrefix,
} from '../../testing/dockerHarness';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';

jest.setTimeout(120_000);

const ID = '20260101T000000Z';

/**
 * Plays a tier writer against a volume target (real Docker Engine): a small archive that
 * inflates to far more bytes, or far more files, than its manifest records must be stopped
 * before the swap, leaving the live volume as it was.
 */
describeWithDocker('bounded volume restores (real Docker Engine)', docker => {
  const prefix = testPrefix('bomb');
  const volume = `${prefix}-data`;
  const tempDir = useTempDir();
  let service: SnapshotService;
  let target: string;

  beforeAll(async () => {
    await docker.createVolume({ Name: volume });
    await runOnce(
      docker,
      BUSYBOX_IMAGE,
      ['sh', '-c', 'echo live > /v/keep.txt'],
      [{ volume, path: '/v' }],
    );
  });
  afterAll(() => removeTestResources(docker, prefix));
  beforeEach(() => {
    target = `${prefix}-files`;
    service = new SnapshotService(
      testConfig(
        tempDir(),
        { [target]: { engine: 'volume', volume } },
        undefined,
        { docker: { helperImage: BUSYBOX_IMAGE } },
      ),
    );
  });

  async function plant(
    source: string,
    claims: { rawBytes?: number; files: number },
  ) {
    const crafted = await craftSnapshot({
      service,
      target,
      engine: 'volume',
      id: ID,
      artifacts: [
        {
          name: `${volume}.tar`,
          stream: tar.c({ cwd: source }, ['.']) as unknown as Readable,
        },
      ],
      manifest: { details: { volume, files: claims.files, bytes: 5 } },
    });
    await service.storage('local').writeManifest(
      { target, id: ID },
      {
        ...crafted,
        artifacts: crafted.artifacts.map(a => ({
          ...a,
          raw_bytes: claims.rawBytes ?? a.raw_bytes,
        })),
      },
    );
  }

  it('stops a decompression bomb and a file-count bomb before the swap', async () => {
    const before = await listVolume(docker, volume);

    const zeros = path.join(tempDir(), 'zeros');
    fs.mkdirSync(zeros);
    fs.closeSync(fs.openSync(path.join(zeros, 'zeros.bin'), 'w'));
    fs.truncateSync(path.join(zeros, 'zeros.bin'), 64 * 1024 * 1024);
    await plant(zeros, { rawBytes: 10 * 1024, files: 1 });
    await expect(service.restore(target, ID, { force: true })).rejects.toThrow(
      /the volume was not changed: .*inflates past the \d+ bytes its manifest records \(raw_bytes 10240 plus the margin\)/,
    );
    expect(await listVolume(docker, volume)).toBe(before);

    await service.storage('local').deleteSnapshot({ target, id: ID });
    const many = path.join(tempDir(), 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 200; i++)
      fs.writeFileSync(path.join(many, `f${i}`), '');
    await plant(many, { files: 2 });
    await expect(service.restore(target, ID, { force: true })).rejects.toThrow(
      /the archive holds more than 18 files, but its manifest records 2/,
    );
    expect(await listVolume(docker, volume)).toBe(before);
    expect(await leftoverAgentContainers(docker, prefix)).toEqual([]);
  });
});
