import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { textBlocks } from '../testing/textBlocks';
import { ZstdChunkCompressor } from './ChunkCompressor';

const zstdDecompressSync = (
  zlib as unknown as { zstdDecompressSync: (data: Buffer) => Buffer }
).zstdDecompressSync;

/** Text-like chunks of different sizes, each unlike the others. */
const chunks = (count: number) => textBlocks(count, i => 50 + (i % 7) * 40);

describe('ZstdChunkCompressor', () => {
  it('makes each chunk one independent zstd frame, many in flight at once on reused contexts', async () => {
    const compressor = new ZstdChunkCompressor();
    try {
      const input = [...chunks(200), randomBytes(9000)];
      // All queued together: each answer must hold its own chunk only, in any lane.
      const frames = await Promise.all(input.map(c => compressor.compress(c)));
      frames.forEach((frame, i) => {
        expect(zstdDecompressSync(frame).equals(input[i])).toBe(true);
      });
      expect(frames[0].length).toBeLessThan(input[0].length);
      // Any zstd decoder reads a frame alone: the zstd command too.
      const byCli = execFileSync('zstd', ['-dc'], { input: frames[57] });
      expect(byCli.equals(input[57])).toBe(true);
    } finally {
      compressor.close();
    }
  });
});
