import { createHash } from 'node:crypto';
import type { SnapshotStorage } from '../storage/SnapshotStorage';
import { ChunkCodec } from './chunkCodec';
import type { Piece, StoredFrame } from './chunkLayout';
import { packKey } from './packFile';
import { readPieces } from './readPieces';

/** Text-like frame contents, each unlike the others. */
const content = (n: number) =>
  Buffer.from(
    Array.from(
      { length: 300 },
      (_, i) =>
        `${n}:${i}\t${createHash('sha256')
          .update(`${n}/${i}`)
          .digest('hex')}\n`,
    ).join(''),
  );

/** Packs in memory, counting the ranged reads. */
async function packsOf(codec: ChunkCodec, frameCounts: Record<string, number>) {
  const objects = new Map<string, Buffer>();
  const frames: Record<string, StoredFrame[]> = {};
  const raws = new Map<string, Buffer>();
  let n = 0;
  for (const [pack, count] of Object.entries(frameCounts)) {
    const bodies: Buffer[] = [];
    let offset = 16;
    frames[pack] = [];
    for (let f = 0; f < count; f++) {
      const raw = content(n++);
      const digest = codec.id(raw);
      const { stored, encoding } = await codec.encode(digest, raw);
      const frame = {
        key: `${pack}:${offset}`,
        pack,
        offset,
        storedBytes: stored.length,
        rawBytes: raw.length,
        encoding,
        digest,
        what: `frame ${f} of pack ${pack}`,
      };
      frames[pack].push(frame);
      raws.set(frame.key, raw);
      bodies.push(stored);
      offset += stored.length;
    }
    objects.set(
      packKey('plain', pack),
      Buffer.concat([Buffer.alloc(16), ...bodies]),
    );
  }
  codec.close();
  const reads: string[] = [];
  const storage = {
    tier: 't',
    async getObject(key: string, range: { offset: number; length: number }) {
      reads.push(`${key}@${range.offset}`);
      const data = objects.get(key);
      if (!data) throw new Error(`${key} does not exist in storage`);
      return data.subarray(range.offset, range.offset + range.length);
    },
  } as unknown as SnapshotStorage;
  return { storage, frames, raws, reads, objects };
}

async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of iterable) parts.push(part);
  return Buffer.concat(parts);
}

describe('readPieces', () => {
  it('joins pieces of interleaved packs in order, reading each pack in few ranged reads', async () => {
    const codec = new ChunkCodec('zstd');
    const { storage, frames, raws, reads } = await packsOf(codec, {
      a: 20,
      b: 20,
    });
    // Alternating packs, the second half of each frame now and its first half later.
    const pieces: Piece[] = [];
    for (let f = 0; f < 20; f++) {
      for (const pack of ['a', 'b']) {
        const frame = frames[pack][f];
        const half = Math.floor(frame.rawBytes / 2);
        pieces.push({ frame, start: half, length: frame.rawBytes - half });
      }
    }
    for (let f = 0; f < 20; f++) {
      const frame = frames.a[f];
      pieces.push({ frame, start: 0, length: Math.floor(frame.rawBytes / 2) });
    }
    const expected = Buffer.concat(
      pieces.map(p =>
        raws.get(p.frame.key)!.subarray(p.start, p.start + p.length),
      ),
    );
    const output = await collect(
      readPieces(storage, 'plain', codec, pieces, 'x'),
    );
    expect(output.equals(expected)).toBe(true);
    // One span per pack (each pack's frames are back to back), whatever the interleaving.
    expect(reads).toEqual(['plain/packs/a/a@16', 'plain/packs/b/b@16']);
  });

  it('reads a frame again when more frames are held than it keeps', async () => {
    const codec = new ChunkCodec('zstd');
    const { storage, frames, raws, reads } = await packsOf(codec, { a: 300 });
    // Every frame's start now and its end at the very end: 300 frames held at once.
    const pieces: Piece[] = [
      ...frames.a.map(frame => ({ frame, start: 0, length: 10 })),
      ...frames.a.map(frame => ({
        frame,
        start: 10,
        length: frame.rawBytes - 10,
      })),
    ];
    const output = await collect(
      readPieces(storage, 'plain', codec, pieces, 'x'),
    );
    const expected = Buffer.concat(
      pieces.map(p =>
        raws.get(p.frame.key)!.subarray(p.start, p.start + p.length),
      ),
    );
    expect(output.equals(expected)).toBe(true);
    // Two spans of 2 MiB, and the 44 frames dropped past 256 held, each read again.
    expect(reads.length).toBeGreaterThan(40);
  });

  it('fails on a changed frame and on a missing pack, naming them', async () => {
    const codec = new ChunkCodec('zstd');
    const { storage, frames, objects } = await packsOf(codec, { a: 3 });
    const pieces = frames.a.map(frame => ({
      frame,
      start: 0,
      length: frame.rawBytes,
    }));
    const pack = objects.get(packKey('plain', 'a'))!;
    pack[frames.a[1].offset + 20] ^= 1;
    await expect(
      collect(readPieces(storage, 'plain', codec, pieces, 'x')),
    ).rejects.toThrow(
      /x: frame 1 of pack a (cannot be decompressed|does not hold the content its digest names)/,
    );
    objects.delete(packKey('plain', 'a'));
    await expect(
      collect(readPieces(storage, 'plain', codec, pieces, 'x')),
    ).rejects.toThrow(/does not exist in storage/);
  });
});
