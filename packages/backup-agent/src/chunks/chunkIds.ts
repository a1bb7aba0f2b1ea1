import { hash } from 'node:crypto';

const BLOCK_BYTES = 64;

/**
 * Chunk ids: sha256, or HMAC-SHA256 with the pool's id key. Both through crypto.hash, which
 * keeps its digest method, where createHash and createHmac look it up on every call: at 1 KiB
 * chunks (~80,000 per 94 MB dump) that look-up cost more than the hashing. The HMAC is
 * computed by its definition, sha256((K ^ opad) | sha256((K ^ ipad) | message)) (RFC 2104),
 * so ids equal createHmac's.
 */
export class ChunkIds {
  private readonly inner?: Buffer;
  private readonly outer?: Buffer;
  private scratch = Buffer.alloc(0);

  constructor(key?: Buffer) {
    if (!key) return;
    if (key.length > BLOCK_BYTES) throw new Error('the id key is too long');
    this.inner = Buffer.alloc(BLOCK_BYTES);
    this.outer = Buffer.alloc(BLOCK_BYTES + 32);
    for (let i = 0; i < BLOCK_BYTES; i++) {
      this.inner[i] = (key[i] ?? 0) ^ 0x36;
      this.outer[i] = (key[i] ?? 0) ^ 0x5c;
    }
  }

  key(data: Uint8Array): string {
    if (!this.inner || !this.outer) return hash('sha256', data, 'binary');
    const length = BLOCK_BYTES + data.length;
    if (this.scratch.length < length) {
      this.scratch = Buffer.alloc(Math.max(length, 2 * this.scratch.length));
      this.inner.copy(this.scratch);
    }
    this.scratch.set(data, BLOCK_BYTES);
    const innerDigest = hash(
      'sha256',
      this.scratch.subarray(0, length),
      'binary',
    );
    this.outer.write(innerDigest, BLOCK_BYTES, 'latin1');
    return hash('sha256', this.outer, 'binary');
  }
}
