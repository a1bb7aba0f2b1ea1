import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FIXED_HEADER_BYTES, TAG_BYTES } from './chunkedGcmFormat';
import { DecryptStream } from './DecryptStream';
import type { EncryptionKey } from './EncryptionKey';
import { parseEncryptionKey } from './EncryptionKey';
import { EncryptStream } from './EncryptStream';

const CHUNK = 1024;
const key: EncryptionKey = { keyId: 'test-key', bytes: randomBytes(32) };

/** Feeds `data` in uneven pieces, so chunk boundaries never line up with writes. */
async function through(
  data: Buffer,
  stage: NodeJS.ReadWriteStream,
): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (
    let offset = 0, size = 1;
    offset < data.length;
    offset += size, size = (size * 7 + 3) % 1500 || 1
  ) {
    pieces.push(data.subarray(offset, offset + size));
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    stage,
    new Writable({
      write(chunk, _encoding, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

const encrypt = (data: Buffer, withKey = key) =>
  through(data, new EncryptStream(withKey, CHUNK));
const decrypt = (data: Buffer, withKey = key) =>
  through(data, new DecryptStream({ key: withKey, label: 'app.db.zst.enc' }));

function headerLength(sealed: Buffer): number {
  return FIXED_HEADER_BYTES + sealed[FIXED_HEADER_BYTES - 1];
}

describe('aes-256-gcm-chunked', () => {
  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17])(
    'round-trips %i bytes',
    async size => {
      const data = randomBytes(size);
      const sealed = await encrypt(data);
      const chunks = Math.max(1, Math.ceil(size / CHUNK));
      expect(sealed.length).toBe(
        headerLength(sealed) + size + chunks * TAG_BYTES,
      );
      expect((await decrypt(sealed)).equals(data)).toBe(true);
    },
  );

  it('never stores the plaintext and never repeats a ciphertext for the same input', async () => {
    const data = Buffer.alloc(4 * CHUNK, 'secret row ');
    const [first, second] = [await encrypt(data), await encrypt(data)];
    expect(first.includes(Buffer.from('secret row'))).toBe(false);
    expect(first.equals(second)).toBe(false);
  });

  it('refuses a changed byte in any chunk, naming the chunk', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK + 10));
    const tampered = Buffer.from(sealed);
    tampered[headerLength(sealed) + CHUNK + TAG_BYTES + 5] ^= 1; // inside chunk 1
    await expect(decrypt(tampered)).rejects.toThrow(
      'app.db.zst.enc: chunk 1 failed authentication (AES-256-GCM): the stored data was changed after it was written',
    );
  });

  it('refuses an artifact cut short, at a chunk boundary or inside a chunk, or extended', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK + 10));
    const atBoundary = sealed.subarray(
      0,
      headerLength(sealed) + 2 * (CHUNK + TAG_BYTES),
    );
    await expect(decrypt(atBoundary)).rejects.toThrow(
      /the last chunk \(1\) failed authentication .*cut short, extended or changed/,
    );
    await expect(
      decrypt(sealed.subarray(0, sealed.length - 3)),
    ).rejects.toThrow(/the last chunk \(3\) failed authentication/);
    await expect(
      decrypt(sealed.subarray(0, headerLength(sealed) + 5)),
    ).rejects.toThrow(
      /ends without its final chunk: the artifact was cut short/,
    );
    await expect(decrypt(sealed.subarray(0, 20))).rejects.toThrow(
      /ends inside its encryption header/,
    );
    await expect(
      decrypt(Buffer.concat([sealed, Buffer.from('more')])),
    ).rejects.toThrow(/failed authentication/);
  });

  it('refuses chunks swapped between positions', async () => {
    const sealed = await encrypt(randomBytes(3 * CHUNK + 10));
    const start = headerLength(sealed);
    const size = CHUNK + TAG_BYTES;
    const swapped = Buffer.concat([
      sealed.subarray(0, start),
      sealed.subarray(start + size, start + 2 * size),
      sealed.subarray(start, start + size),
      sealed.subarray(start + 2 * size),
    ]);
    await expect(decrypt(swapped)).rejects.toThrow(
      /chunk 0 failed authentication/,
    );
  });

  it('tells a wrong key apart from damage, by key id', async () => {
    const sealed = await encrypt(randomBytes(100));
    await expect(
      decrypt(sealed, { keyId: 'test-key', bytes: randomBytes(32) }),
    ).rejects.toThrow(
      'app.db.zst.enc was encrypted with key "test-key", and the key given as "test-key" is a different key',
    );
    await expect(
      decrypt(sealed, { keyId: 'other', bytes: key.bytes }),
    ).rejects.toThrow(
      'was encrypted with key "test-key", not with key "other"',
    );
    await expect(
      decrypt(Buffer.from('plain zstd bytes, not encrypted')),
    ).rejects.toThrow(/is not a Safekeep encrypted artifact/);
  });

  it('reads keys as hex or base64 and refuses anything else without echoing it', () => {
    const hex = randomBytes(32).toString('hex');
    expect(parseEncryptionKey(`${hex}\n`, 'k', 'f').bytes.toString('hex')).toBe(
      hex,
    );
    expect(
      parseEncryptionKey(
        Buffer.from(hex, 'hex').toString('base64'),
        'k',
        'f',
      ).bytes.toString('hex'),
    ).toBe(hex);
    expect(() =>
      parseEncryptionKey(
        'correct horse battery staple',
        'k',
        'defaults.encryption.key',
      ),
    ).toThrow(
      'defaults.encryption.key: key "k" must be 256 bits written as 64 hex characters (or 44 base64 characters); generate one with: openssl rand -hex 32',
    );
    expect(() =>
      parseEncryptionKey('correct horse battery staple', 'k', 'x'),
    ).not.toThrow(/horse/);
  });
});
