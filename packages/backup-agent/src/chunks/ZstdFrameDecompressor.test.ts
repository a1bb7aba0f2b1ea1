import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { textBlocks } from '../testing/textBlocks';
import { ZstdFrameDecompressor } from './ZstdFrameDecompressor';

const zstdCompressSync = (
  zlib as unknown as { zstdCompressSync: (data: Buffer) => Buffer }
).zstdCompressSync;

/** Text-like chunks of different sizes, each unlike the others. */
const frames = (count: number) => textBlocks(count, i => 100 + (i % 5) * 700);

describe('ZstdFrameDecompressor', () => {
  it('gives each frame its own content, many in flight at once on reused contexts', async () => {
    const decompressor = new ZstdFrameDecompressor();
    try {
      const raw = [...frames(150), randomBytes(70_000)];
      // Frames of 3 KB to 300 KB, the largest over one output piece of 256 KiB.
      raw.push(Buffer.concat(frames(40)));
      const stored = raw.map(r => zstdCompressSync(r));
      const back = await Promise.all(
        stored.map(s => decompressor.decompress(s)),
      );
      back.forEach((bytes, i) => expect(bytes.equals(raw[i])).toBe(true));
    } finally {
      decompressor.close();
    }
  });

  it('rejects a damaged frame instead of waiting for it', async () => {
    const decompressor = new ZstdFrameDecompressor();
    try {
      const stored = zstdCompressSync(frames(3)[2]);
      const damaged = Buffer.from(stored);
      damaged.fill(0xff, 0, 8); // no zstd magic number any more
      await expect(decompressor.decompress(damaged)).rejects.toThrow();
    } finally {
      decompressor.close();
    }
  });
});
