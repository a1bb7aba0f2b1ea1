import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { SnapshotService } from '../snapshots/SnapshotService';
import { listFiles, useTempDir } from '../testing/tempDir';
import { testConfig } from '../testing/testConfig';
import type { ObjectBody, SnapshotStorage } from './SnapshotStorage';

const MiB = 1024 * 1024;

function digest(root: string): string {
  const hash = createHash('sha256');
  for (const file of listFiles(root))
    hash.update(file).update(fs.readFileSync(path.join(root, file)));
  return hash.digest('hex');
}

/** The first half of a stream; the rest is read and dropped, as a disk that lost it. */
function firstHalfOf(body: Readable, bytes: number): Readable {
  const kept = new PassThrough();
  let seen = 0;
  body.on('data', (chunk: Buffer) => {
    const room = Math.max(0, bytes / 2 - seen);
    if (room > 0) kept.write(chunk.subarray(0, room));
    seen += chunk.length;
  });
  body.on('end', () => kept.end());
  body.on('error', error => kept.destroy(error));
  return kept;
}

type Fault = 'truncate-and-say-so' | 'truncate-silently' | 'fail-midway';

/**
 * A tier that loses data once: the next big write keeps only half and says so, keeps half and
 * claims it all (a lying disk or a bucket that cut the object), or fails with EIO halfway.
 */
function faultyOnce(fault: Fault, total: number) {
  let armed = true;
  return (inner: SnapshotStorage): SnapshotStorage =>
    new Proxy(inner, {
      get(target, property, receiver) {
        const real = Reflect.get(target, property, receiver);
        if (typeof real !== 'function') return real;
        if (property === 'putArtifact')
          return async (ref: any, name: string, body: Readable) => {
            if (!armed || name.endsWith('.md'))
              return real.call(target, ref, name, body);
            armed = false;
            if (fault === 'fail-midway') {
              // Half the bytes arrive, then the disk fails (EIO).
              const broken = Readable.from(
                (async function* halfThenEio() {
                  let seen = 0;
                  for await (const chunk of body as AsyncIterable<Buffer>) {
                    if (seen >= total / 2)
                      throw Object.assign(new Error('EIO: i/o error, write'), {
                        code: 'EIO',
                      });
                    seen += chunk.length;
                    yield chunk;
                  }
                })(),
              );
              return real.call(target, ref, name, broken);
            }
            let offered = 0;
            body.on('data', (chunk: Buffer) => (offered += chunk.length));
            const stored = await real.call(
              target,
              ref,
              name,
              firstHalfOf(body, total),
            );
            // The lie: every byte offered, stored.
            return fault === 'truncate-silently' ? { bytes: offered } : stored;
          };
        if (property === 'putObject')
          return async (key: string, data: ObjectBody) => {
            if (!armed || !key.includes('packs/'))
              return real.call(target, key, data);
            armed = false;
            if (fault === 'fail-midway')
              throw Object.assign(new Error('EIO: i/o error, write'), {
                code: 'EIO',
              });
            // A pack comes as its parts: half of their bytes.
            const whole = Buffer.isBuffer(data) ? data : Buffer.concat(data);
            return real.call(target, key, whole.subarray(0, whole.length / 2));
          };
        return real.bind(target);
      },
    });
}

/**
 * Plays a tier that loses a write once, in both formats. A failed or short write that the tier
 * admits fails the backup and lists nothing; a silent one is found by verify, and the restore
 * refuses it without touching the live data. The next backup is whole either way.
 */
describe.each(['whole', 'chunked'])(
  'a tier that loses one write (%s format)',
  format => {
    const tempDir = useTempDir();

    function setUp(fault: Fault) {
      const dir = tempDir();
      const files = path.join(dir, 'files');
      fs.mkdirSync(files);
      fs.writeFileSync(path.join(files, 'big.bin'), randomBytes(4 * MiB));
      const service = new SnapshotService(
        testConfig(
          dir,
          {
            files: {
              engine: 'directory',
              path: './files',
              compression: 'none',
            },
          },
          { local: { type: 'filesystem', path: './snapshots', format } },
        ),
        { wrapStorage: faultyOnce(fault, 4 * MiB) },
      );
      return { service, files };
    }

    // A pack is written whole from memory and its write reports no size: a short pack is the
    // silent case below.
    const admitted: Fault[] =
      format === 'whole'
        ? ['truncate-and-say-so', 'fail-midway']
        : ['fail-midway'];
    it.each<Fault>(admitted)(
      '%s: the backup fails, nothing is listed, the next backup is whole',
      async fault => {
        const { service, files } = setUp(fault);
        await expect(service.backup('files')).rejects.toThrow();
        expect(await service.list('files')).toEqual([]);
        await service.backup('files');
        const [snapshot, ...more] = await service.list('files');
        expect(more).toEqual([]);
        expect((await service.verify('files', snapshot.id)).ok).toBe(true);
        const before = digest(files);
        fs.rmSync(files, { recursive: true });
        await service.restore('files', snapshot.id);
        expect(digest(files)).toBe(before);
      },
    );

    it('truncate-silently: verify finds it and the restore refuses it, the live data untouched', async () => {
      const { service, files } = setUp('truncate-silently');
      // The tier claimed every byte, so the backup cannot tell; reading it back can.
      await service.backup('files');
      const listed = await service.list('files');
      expect(listed).toHaveLength(1);
      for (const snapshot of listed) {
        expect((await service.verify('files', snapshot.id)).ok).toBe(false);
        fs.writeFileSync(
          path.join(files, 'live.txt'),
          'written after the backup',
        );
        const before = digest(files);
        await expect(
          service.restore('files', snapshot.id, { force: true }),
        ).rejects.toThrow();
        expect(digest(files)).toBe(before);
      }
    });
  },
);
