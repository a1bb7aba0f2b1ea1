import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import {
  call,
  kill,
  KILL_TEST_TOKEN_ENV,
  listed,
  runJob,
  stagingLeftovers,
  startAgent,
} from '../testing/killedAgent';
import { S3rverProcess, startS3rverProcess } from '../testing/s3rverProcess';
import { useTempDir } from '../testing/tempDir';

jest.setTimeout(600_000);

const KILL_POINTS = 10;
const TARGET = 'files';

/**
 * The OOM killer against an S3 tier: a real agent SIGKILLed at ten points spread over a backup
 * of a 24 MiB folder to an s3rver running in a process of its own (so it outlives the agent),
 * in both formats (whole: the artifact goes up as 5 MiB multipart parts; chunked: 16 MiB pack
 * objects), started again after each kill. After every start: no multipart upload open, no
 * snapshot prefix without a manifest, staging empty but for the agent's lock, and every newly
 * listed snapshot verifies; at the end a backup succeeds and every listed snapshot verifies. The
 * same for kills during a prune (keepLast 2): a deletion killed halfway leaves its mark, so the
 * next start removes the prefix.
 */
describe.each(['whole', 'chunked'] as const)(
  'the agent SIGKILLed at ten points of a backup to an S3 tier (%s format)',
  format => {
    const tempDir = useTempDir(`safekeep-kill-s3-${format}-`);
    let s3: S3rverProcess;
    /** The tier's prefix: one per test, so each starts from an empty tier. */
    let prefix = '';

    beforeAll(async () => {
      s3 = await startS3rverProcess();
    });
    afterAll(async () => {
      await s3.close();
    });

    /**
     * New bytes before every backup: otherwise a chunked backup after the first stores no new
     * pack (all chunks are in the tier) and ends before most kill points.
     */
    function refreshFiles(dir: string, files = 12) {
      fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
      for (let i = 0; i < files; i++)
        fs.writeFileSync(
          path.join(dir, 'files', `f${i}.bin`),
          randomBytes(2 * 1024 * 1024),
        );
    }

    function writeConfig(dir: string): string {
      prefix = path.basename(dir);
      const file = path.join(dir, 'agent.yaml');
      fs.writeFileSync(
        file,
        [
          'agent:',
          '  name: kill-points-s3',
          '  listen: { host: 127.0.0.1, port: 0 }',
          `  token: { env: ${KILL_TEST_TOKEN_ENV} }`,
          '  staging: ./staging',
          'storage:',
          '  offsite:',
          '    type: s3',
          `    bucket: ${s3.bucket}`,
          `    prefix: ${prefix}`,
          `    endpoint: ${s3.endpoint}`,
          '    forcePathStyle: true',
          '    accessKeyId: { env: SAFEKEEP_TEST_S3_KEY }',
          '    secretAccessKey: { env: SAFEKEEP_TEST_S3_SECRET }',
          '    partSizeMiB: 5',
          `    format: ${format}`,
          'targets:',
          `  ${TARGET}: { engine: directory, path: ./files, tiers: [offsite] }`,
          '',
        ].join('\n'),
      );
      return file;
    }

    const openUploads = async () =>
      (
        (
          await s3.client.send(
            new ListMultipartUploadsCommand({
              Bucket: s3.bucket,
              Prefix: `${prefix}/`,
            }),
          )
        ).Uploads ?? []
      ).map(u => u.Key);

    /** Snapshot prefixes of the target without a MANIFEST.json. */
    const incompletePrefixes = async () => {
      const listing = await s3.client.send(
        new ListObjectsV2Command({
          Bucket: s3.bucket,
          Prefix: `${prefix}/${TARGET}/`,
          Delimiter: '/',
        }),
      );
      const missing: string[] = [];
      for (const { Prefix } of listing.CommonPrefixes ?? []) {
        const found = await s3.client
          .send(
            new HeadObjectCommand({
              Bucket: s3.bucket,
              Key: `${Prefix}MANIFEST.json`,
            }),
          )
          .then(
            () => true,
            () => false,
          );
        if (!found) missing.push(Prefix!);
      }
      return missing;
    };

    it(`${KILL_POINTS} kills over a backup leave nothing listed that does not verify, no open upload and no incomplete prefix after the next start`, async () => {
      process.env.SAFEKEEP_TEST_S3_KEY = 'S3RVER';
      process.env.SAFEKEEP_TEST_S3_SECRET = 'S3RVER';
      const dir = tempDir();
      const config = writeConfig(dir);
      let agent = await startAgent(config);
      const seenOpen: number[] = [];
      const seenIncomplete: number[] = [];
      try {
        refreshFiles(dir);
        const timed = Date.now();
        const first = await runJob(agent, '/v1/backups', { target: TARGET });
        expect(first).toMatchObject({ state: 'succeeded' });
        const duration = Date.now() - timed;
        const verified = new Set(await listed(agent, TARGET));

        for (let point = 1; point <= KILL_POINTS; point++) {
          refreshFiles(dir);
          await call(agent, '/v1/backups', { target: TARGET });
          await new Promise(r =>
            setTimeout(r, (duration * point) / (KILL_POINTS + 1)),
          );
          await kill(agent);
          // What the kill left, before the next start cleans it (for the note, not a check).
          seenOpen.push((await openUploads()).length);
          seenIncomplete.push((await incompletePrefixes()).length);
          agent = await startAgent(config);

          const where = `after kill ${point} of ${KILL_POINTS} (at ${Math.round(
            (100 * point) / (KILL_POINTS + 1),
          )}% of ${duration} ms)`;
          expect({ where, open: await openUploads() }).toEqual({
            where,
            open: [],
          });
          expect({ where, incomplete: await incompletePrefixes() }).toEqual({
            where,
            incomplete: [],
          });
          expect({ where, staging: stagingLeftovers(dir) }).toEqual({
            where,
            staging: [],
          });
          for (const id of await listed(agent, TARGET)) {
            if (verified.has(id)) continue;
            // A backup that finished before the kill: it must be whole.
            const check = await runJob(agent, '/v1/verify', {
              target: TARGET,
              snapshotId: id,
            });
            expect({ where, id, check }).toEqual({
              where,
              id,
              check: expect.objectContaining({ state: 'succeeded' }),
            });
            verified.add(id);
          }
        }

        refreshFiles(dir);
        expect(
          await runJob(agent, '/v1/backups', { target: TARGET }),
        ).toMatchObject({ state: 'succeeded' });
        for (const id of await listed(agent, TARGET)) {
          expect(
            await runJob(agent, '/v1/verify', {
              target: TARGET,
              snapshotId: id,
            }),
          ).toMatchObject({ state: 'succeeded' });
        }
        // eslint-disable-next-line no-console
        console.log(
          `${format}: one backup ${duration} ms; uploads open after each kill: ${seenOpen.join(
            ' ',
          )}; incomplete prefixes: ${seenIncomplete.join(
            ' ',
          )}; snapshots listed at the end: ${
            (await listed(agent, TARGET)).length
          }`,
        );
      } finally {
        await kill(agent);
      }
    });

    it(`${KILL_POINTS} kills during a prune leave every listed snapshot verifying, no open upload and no incomplete prefix after the next start`, async () => {
      process.env.SAFEKEEP_TEST_S3_KEY = 'S3RVER';
      process.env.SAFEKEEP_TEST_S3_SECRET = 'S3RVER';
      const dir = tempDir();
      const config = writeConfig(dir);
      let agent = await startAgent(config);
      const backUp = async (count: number) => {
        for (let i = 0; i < count; i++) {
          refreshFiles(dir, 3);
          expect(
            await runJob(agent, '/v1/backups', { target: TARGET }),
          ).toMatchObject({ state: 'succeeded' });
        }
      };
      const prune = { target: TARGET, retention: { keepLast: 2, minimum: 2 } };
      const seenIncomplete: number[] = [];
      try {
        await backUp(4);
        const timed = Date.now();
        expect(await runJob(agent, '/v1/prune', prune)).toMatchObject({
          state: 'succeeded',
        });
        const duration = Math.max(Date.now() - timed, 20);

        for (let point = 1; point <= KILL_POINTS; point++) {
          await backUp(2);
          await call(agent, '/v1/prune', prune);
          await new Promise(r =>
            setTimeout(r, (duration * point) / (KILL_POINTS + 1)),
          );
          await kill(agent);
          seenIncomplete.push((await incompletePrefixes()).length);
          agent = await startAgent(config);
          const where = `after kill ${point} of ${KILL_POINTS} (at ${Math.round(
            (100 * point) / (KILL_POINTS + 1),
          )}% of ${duration} ms)`;
          expect({
            where,
            open: await openUploads(),
            incomplete: await incompletePrefixes(),
          }).toEqual({ where, open: [], incomplete: [] });
          const ids = await listed(agent, TARGET);
          expect(ids.length).toBeGreaterThanOrEqual(2);
          for (const snapshotId of ids) {
            const check = await runJob(agent, '/v1/verify', {
              target: TARGET,
              snapshotId,
            });
            expect({ where, snapshotId, check }).toEqual({
              where,
              snapshotId,
              check: expect.objectContaining({ state: 'succeeded' }),
            });
          }
        }
        expect(await runJob(agent, '/v1/prune', prune)).toMatchObject({
          state: 'succeeded',
        });
        expect(await listed(agent, TARGET)).toHaveLength(2);
        // eslint-disable-next-line no-console
        console.log(
          `${format} prune: one prune ${duration} ms; manifest-less prefixes after each kill: ${seenIncomplete.join(
            ' ',
          )}`,
        );
      } finally {
        await kill(agent);
      }
    });
  },
);
