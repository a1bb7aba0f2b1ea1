import { createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ChunkCodec } from './chunkCodec';

describe('ChunkCodec ids', () => {
  const chunks = [
    Buffer.alloc(0),
    randomBytes(1),
    randomBytes(1000),
    randomBytes(9000),
    randomBytes(300),
  ];

  it('are sha256 of the chunk for plain pools', () => {
    const codec = new ChunkCodec('zstd');
    for (const chunk of chunks) {
      const expected = createHash('sha256').update(chunk).digest();
      expect(codec.id(chunk).equals(expected)).toBe(true);
      expect(codec.key(chunk)).toBe(expected.toString('latin1'));
    }
  });

  it('are HMAC-SHA256 with the derived id key for encrypted pools, as createHmac computes it', () => {
    const master = randomBytes(32);
    const codec = new ChunkCodec('zstd', {
      keyId: 'k',
      bytes: master,
    });
    const idKey = Buffer.from(
      hkdfSync('sha256', master, Buffer.alloc(0), 'safekeep chunk id v1', 32),
    );
    // Larger then smaller inputs: the scratch buffer is reused and grown.
    for (const chunk of [...chunks, ...chunks.reverse()]) {
      const expected = createHmac('sha256', idKey).update(chunk).digest();
      expect(codec.id(chunk).equals(expected)).toBe(true);
    }
  });

  it('decodes what it encoded and refuses a frame under another digest', async () => {
    const codec = new ChunkCodec('zstd', {
      keyId: 'k',
      bytes: randomBytes(32),
    });
    const raw = Buffer.from('row\n'.repeat(5000));
    const digest = codec.id(raw);
    const { stored, encoding } = await codec.encode(digest, raw);
    codec.close();
    expect(stored.length).toBeLessThan(raw.length);
    expect(
      (await codec.decode(digest, stored, encoding, 'x')).equals(raw),
    ).toBe(true);
    await expect(
      codec.decode(
        codec.id(Buffer.from('other')),
        stored,
        encoding,
        'x',
        'frame 3',
      ),
    ).rejects.toThrow(/x: frame 3 fails authentication/);
  });
});
