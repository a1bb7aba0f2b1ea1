import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Compression } from '@safekeep/plugin-backups-common';
import {
  createCompressor,
  createDecompressor,
  ZLIB_HAS_ZSTD,
} from './compression';
import { spawnFilter } from './spawnFilter';

async function through(
  data: Buffer,
  ...stages: Array<NodeJS.ReadWriteStream | undefined>
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline([
    Readable.from([data]),
    ...(stages.filter(Boolean) as NodeJS.ReadWriteStream[]),
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  ]);
  return Buffer.concat(chunks);
}

describe('compression', () => {
  // Compressible and incompressible parts, a few MiB so streams really chunk.
  const data = Buffer.concat([
    Buffer.alloc(2_000_000, 'abc'),
    randomBytes(1_500_000),
  ]);

  it('runs on Node 22 zlib zstd here', () => {
    expect(ZLIB_HAS_ZSTD).toBe(true);
  });

  it.each<[Compression, number]>([
    ['zstd', 0.6],
    ['gzip', 0.6],
    ['none', 1],
  ])('round-trips %s', async (compression, maxRatio) => {
    const packed = await through(data, createCompressor(compression));
    expect(packed.length).toBeLessThanOrEqual(data.length * maxRatio);
    expect(
      (await through(packed, createDecompressor(compression))).equals(data),
    ).toBe(true);
  });

  it('produces the same format through the zstd command fallback, in both directions', async () => {
    const byBinary = await through(
      data,
      createCompressor('zstd', { zstdBinary: true }),
    );
    expect(
      (await through(byBinary, createDecompressor('zstd'))).equals(data),
    ).toBe(true);
    const byZlib = await through(data, createCompressor('zstd'));
    expect(
      (
        await through(byZlib, createDecompressor('zstd', { zstdBinary: true }))
      ).equals(data),
    ).toBe(true);
  });

  it('fails the stream when a filter command fails or cannot start', async () => {
    await expect(
      through(
        Buffer.from('not zstd at all'),
        createDecompressor('zstd', { zstdBinary: true }),
      ),
    ).rejects.toThrow(/zstd exited with code 1: .*/);
    await expect(
      through(data, spawnFilter('no-such-command-xyz', [])),
    ).rejects.toThrow(/cannot run no-such-command-xyz/);
  });
});
