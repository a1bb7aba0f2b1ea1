import { createCipheriv } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import {
  artifactKey,
  ChunkedGcmHeader,
  chunkNonce,
  DEFAULT_CHUNK_BYTES,
  MAX_CHUNKS,
  newHeader,
} from './chunkedGcmFormat';
import type { EncryptionKey } from './EncryptionKey';

/**
 * Plaintext in, `aes-256-gcm-chunked` out (see chunkedGcmFormat.ts). A chunk is sealed only
 * once more data follows it, so the last one, sealed at the end, carries the final flag.
 * Holds at most one chunk plus one incoming piece in memory.
 */
export class EncryptStream extends Transform {
  private readonly header: ChunkedGcmHeader;
  private readonly key: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private headerSent = false;

  constructor(
    masterKey: EncryptionKey,
    readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {
    super();
    this.header = newHeader(masterKey.bytes, masterKey.keyId, chunkBytes);
    this.key = artifactKey(masterKey.bytes, this.header.salt);
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(this.header.bytes);
  }

  private seal(plaintext: Buffer, final: boolean): void {
    if (this.index >= MAX_CHUNKS)
      throw new Error(
        `an encrypted artifact holds at most ${MAX_CHUNKS} chunks`,
      );
    const cipher = createCipheriv(
      'aes-256-gcm',
      this.key,
      chunkNonce(this.header, this.index++, final),
    );
    cipher.setAAD(this.header.bytes);
    this.push(cipher.update(plaintext));
    this.push(cipher.final());
    this.push(cipher.getAuthTag());
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    try {
      this.sendHeader();
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes > this.chunkBytes) {
        const all =
          this.pending.length === 1
            ? this.pending[0]
            : Buffer.concat(this.pending, this.pendingBytes);
        let offset = 0;
        // Strictly more than a chunk left: this one is not the last.
        while (all.length - offset > this.chunkBytes) {
          this.seal(all.subarray(offset, offset + this.chunkBytes), false);
          offset += this.chunkBytes;
        }
        const rest = all.subarray(offset);
        this.pending = [rest];
        this.pendingBytes = rest.length;
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.sendHeader();
      this.seal(Buffer.concat(this.pending, this.pendingBytes), true);
      this.pending = [];
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}
