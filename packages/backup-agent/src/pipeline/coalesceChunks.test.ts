import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CoalesceChunks } from './coalesceChunks';

describe('CoalesceChunks', () => {
  it('hands on blocks of at least the block size, the last one shorter, bytes unchanged', async () => {
    const data = randomBytes(10_000);
    const pieces = Array.from({ length: 100 }, (_, i) =>
      data.subarray(i * 100, (i + 1) * 100),
    );
    const blocks: Buffer[] = [];
    await pipeline(
      Readable.from(pieces),
      new CoalesceChunks(3000),
      new Writable({
        write(chunk, _encoding, done) {
          blocks.push(chunk);
          done();
        },
      }),
    );
    expect(blocks.map(b => b.length)).toEqual([3000, 3000, 3000, 1000]);
    expect(Buffer.concat(blocks).equals(data)).toBe(true);
  });
});
