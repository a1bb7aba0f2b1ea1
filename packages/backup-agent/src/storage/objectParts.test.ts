import { randomBytes } from 'node:crypto';
import { S3rverHarness, startS3rver } from '../testing/s3rverHarness';
import { useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import { createStorage } from './createStorage';

// A sealed pack is written as its parts (prefix, header, frames) without being joined first:
// each tier stores exactly their concatenation.
describe('putObject of several buffers', () => {
  const tempDir = useTempDir();
  let s3: S3rverHarness;

  beforeAll(async () => {
    s3 = await startS3rver('parts');
    process.env.SAFEKEEP_TEST_S3_KEY = 'S3RVER';
    process.env.SAFEKEEP_TEST_S3_SECRET = 'S3RVER';
  });
  afterAll(() => s3.close());

  function tiers() {
    const config = testConfig(
      tempDir(),
      {},
      {
        local: { type: 'filesystem', path: './snapshots' },
        offsite: {
          type: 's3',
          bucket: s3.bucket,
          prefix: 'parts',
          endpoint: s3.endpoint,
          forcePathStyle: true,
          accessKeyId: { env: 'SAFEKEEP_TEST_S3_KEY' },
          secretAccessKey: { env: 'SAFEKEEP_TEST_S3_SECRET' },
        },
      },
    );
    return (['local', 'offsite'] as const).map(tier =>
      createStorage(tier, config.storage[tier], config.agent.staging),
    );
  }

  it.each([0, 1])('stores the parts in order (tier %#)', async n => {
    const storage = tiers()[n];
    const parts = [
      Buffer.from('SKPACK2\n'),
      randomBytes(70_000),
      Buffer.alloc(0),
      randomBytes(3),
    ];
    await storage.putObject('packs/ab/parts', parts);
    expect(
      (await storage.getObject('packs/ab/parts')).equals(Buffer.concat(parts)),
    ).toBe(true);
    expect(
      await storage.getObject('packs/ab/parts', { offset: 70_006, length: 5 }),
    ).toEqual(Buffer.concat([parts[1].subarray(69_998), parts[3]]));
    // One buffer, as before.
    await storage.putObject('locks/one', Buffer.from('lock'));
    expect((await storage.getObject('locks/one')).toString()).toBe('lock');
  });
});
