import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { ZstdChunkCompressor } from './ChunkCompressor';

const zstdDecompressSync = (
  zlib as unknown as { zstdDecompressSync: (data: Buffer) => Buffer }
).zstdDecompressSync;

/** Text-like chunks of different sizes, each unlike the others. */
function chunks(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) =>
    Buffer.from(
      Array.from(
        { length: 50 + (i % 7) * 40 },
        (__, j) =>
          `${i}:${j}\t${createHash('sha256')
            .update(`${i}/${j}`)
            .digest('hex')}\n`,
      ).join(''),
    ),
  );
}

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
