import { createHash, randomBytes } from 'node:crypto';
import { ChunkEncoding } from './chunkCodec';
import { decodeChunkIndexV2, encodeChunkIndexV2 } from './chunkIndexV2';
import {
  chunkKey,
  FramePackBuilder,
  framePackBytes,
  PACK2_PREFIX_BYTES,
  parseFramePackHeader,
} from './framePack';

const hex = () => randomBytes(32).toString('hex');

describe('frame packs (SKPACK2)', () => {
  function twoFramePack() {
    const builder = new FramePackBuilder();
    const ids = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const first = builder.addFrame(
      {
        storedBytes: 5,
        rawBytes: 30,
        encoding: ChunkEncoding.Zstd,
        digest: randomBytes(32),
      },
      [
        { id: ids[0], rawBytes: 10 },
        { id: ids[1], rawBytes: 20 },
      ],
      Buffer.from('aaaaa'),
    );
    const second = builder.addFrame(
      {
        storedBytes: 3,
        rawBytes: 7,
        encoding: ChunkEncoding.None,
        digest: randomBytes(32),
      },
      [{ id: ids[2], rawBytes: 7 }],
      Buffer.from('bbb'),
    );
    const sealed = builder.seal();
    // What writePack stores: the parts in order.
    return { sealed, data: Buffer.concat(sealed.parts), ids, first, second };
  }

  it('lists each chunk with its frame and place in it, checked against the header sha256', () => {
    const { sealed, data, ids, first, second } = twoFramePack();
    expect([first, second]).toEqual([0, 2]);
    expect(sealed.id).toBe(createHash('sha256').update(data).digest('hex'));
    const header = parseFramePackHeader(data, sealed, 'p');
    expect(header.chunkCount).toBe(3);
    expect([...header.chunkFrame]).toEqual([0, 0, 1]);
    expect([...header.chunkStart]).toEqual([0, 10, 0]);
    expect([...header.chunkBytes]).toEqual([10, 20, 7]);
    expect(ids.map((_, n) => chunkKey(header, n))).toEqual(
      ids.map(id => id.toString('latin1')),
    );
    const [a, b] = header.frames;
    expect(data.subarray(a.offset, a.offset + 5).toString()).toBe('aaaaa');
    expect(data.subarray(b.offset, b.offset + 3).toString()).toBe('bbb');
    expect(framePackBytes(header)).toBe(sealed.bytes);
    expect(data.length).toBe(sealed.bytes);
    expect(sealed.frameBytes).toEqual([5, 3]);
    // A ranged read of the prefix and header is enough.
    expect(
      parseFramePackHeader(
        data.subarray(0, PACK2_PREFIX_BYTES + sealed.headerBytes),
        sealed,
        'p',
      ).chunkCount,
    ).toBe(3);
  });

  it('refuses a header that differs from what the index recorded', () => {
    const { sealed, data } = twoFramePack();
    const changed = Buffer.from(data);
    changed[PACK2_PREFIX_BYTES + 30] ^= 1;
    expect(() => parseFramePackHeader(changed, sealed, 'p')).toThrow(
      /p: its header has sha256 [0-9a-f]{64}, the index says [0-9a-f]{64}; it is damaged or foreign/,
    );
    expect(() =>
      parseFramePackHeader(
        data,
        { ...sealed, headerBytes: sealed.headerBytes + 1 },
        'p',
      ),
    ).toThrow(/header is \d+ bytes long, the index says/);
    expect(() =>
      parseFramePackHeader(Buffer.from('SKPACK1\n0000'), sealed, 'p'),
    ).toThrow(/not a Safekeep pack header/);
  });
});

describe('chunk index SKIDX2', () => {
  it('round-trips packs and runs, large numbers included', () => {
    const index = {
      pool: 'key-k1',
      packs: [
        { id: hex(), headerSha256: hex(), headerBytes: 1234 },
        { id: hex(), headerSha256: hex(), headerBytes: 9 },
      ],
      chunkCount: 3 + 200_000 + 1,
      runs: [
        { pack: 0, first: 0, count: 3 },
        { pack: 1, first: 70_000, count: 200_000 },
        { pack: 0, first: 2 ** 31, count: 1 },
      ],
    };
    const encoded = encodeChunkIndexV2(index);
    expect(decodeChunkIndexV2(encoded, 'i')).toEqual({ version: 2, ...index });
  });

  it('refuses runs that name no pack, or do not add up, and trailing bytes', () => {
    const packs = [{ id: hex(), headerSha256: hex(), headerBytes: 1 }];
    const good = { pool: 'plain', packs, chunkCount: 2 };
    expect(() =>
      decodeChunkIndexV2(
        encodeChunkIndexV2({
          ...good,
          runs: [{ pack: 1, first: 0, count: 2 }],
        }),
        'i',
      ),
    ).toThrow(/i is not a valid chunk index: run 0 names no pack/);
    expect(() =>
      decodeChunkIndexV2(
        encodeChunkIndexV2({
          ...good,
          runs: [{ pack: 0, first: 0, count: 1 }],
        }),
        'i',
      ),
    ).toThrow(/its runs hold 1 chunks, not the 2 it states/);
    const encoded = encodeChunkIndexV2({
      ...good,
      runs: [{ pack: 0, first: 0, count: 2 }],
    });
    expect(() =>
      decodeChunkIndexV2(Buffer.concat([encoded, Buffer.from([1])]), 'i'),
    ).toThrow(/bytes after its last run/);
    expect(() => decodeChunkIndexV2(encoded.subarray(0, -1), 'i')).toThrow(
      /cut short/,
    );
  });
});
