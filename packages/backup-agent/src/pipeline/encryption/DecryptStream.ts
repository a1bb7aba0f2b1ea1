import { createDecipheriv } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import {
  artifactKey,
  ChunkedGcmHeader,
  chunkNonce,
  keyChecksMatch,
  parseHeader,
  TAG_BYTES,
} from './chunkedGcmFormat';
import type { EncryptionKey } from './EncryptionKey';

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

export interface DecryptOptions {
  /** The key to decrypt with; `keyId` must match the artifact's unless `anyKeyId`. */
  key: EncryptionKey;
  /** For messages: "local:app.db.zst.enc". */
  label: string;
  /** Accept whatever key id the header names (the `decrypt` command with a bare key file). */
  anyKeyId?: boolean;
}

/**
 * `aes-256-gcm-chunked` in, plaintext out. Each chunk is released only after its tag was
 * verified; a chunk that fails, a missing final chunk (truncation) or bytes after it fail the
 * stream. Plaintext already released came from authenticated chunks, but the artifact as a
 * whole is good only once the stream ended cleanly.
 */
export class DecryptStream extends Transform {
  private header?: ChunkedGcmHeader;
  private key?: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;

  constructor(private readonly options: DecryptOptions) {
    super();
  }

  private buffered(): Buffer {
    const all =
      this.pending.length === 1
        ? this.pending[0]
        : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [all];
    return all;
  }

  private consume(bytes: number): void {
    const rest = this.buffered().subarray(bytes);
    this.pending = [rest];
    this.pendingBytes = rest.length;
  }

  private readHeader(): boolean {
    const parsed = parseHeader(this.buffered(), this.options.label);
    if (!parsed) return false;
    const { header } = parsed;
    const { key, label, anyKeyId } = this.options;
    if (!anyKeyId && header.keyId !== key.keyId) {
      throw new DecryptionError(
        `${label} was encrypted with key "${header.keyId}", not with key "${key.keyId}"`,
      );
    }
    if (!keyChecksMatch(header, key.bytes)) {
      throw new DecryptionError(
        `${label} was encrypted with key "${header.keyId}", and the key given as "${key.keyId}" is a different key; ` +
          `use the key that was configured as "${header.keyId}" when the backup was taken`,
      );
    }
    this.header = header;
    this.key = artifactKey(key.bytes, header.salt);
    this.consume(parsed.length);
    return true;
  }

  private open(sealed: Buffer, final: boolean): Buffer {
    const header = this.header!;
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.key!,
      chunkNonce(header, this.index, final),
    );
    decipher.setAAD(header.bytes);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plaintext = decipher.update(
      sealed.subarray(0, sealed.length - TAG_BYTES),
    );
    try {
      decipher.final();
    } catch {
      throw new DecryptionError(
        final
          ? `${this.options.label}: the last chunk (${this.index}) failed authentication (AES-256-GCM): the artifact was cut short, extended or changed after it was written`
          : `${this.options.label}: chunk ${this.index} failed authentication (AES-256-GCM): the stored data was changed after it was written`,
      );
    }
    this.index++;
    return plaintext;
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    try {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (!this.header && !this.readHeader()) {
        callback();
        return;
      }
      const sealedBytes = this.header!.chunkBytes + TAG_BYTES;
      if (this.pendingBytes > sealedBytes) {
        const all = this.buffered();
        let offset = 0;
        // More than one sealed chunk buffered: this one is not the last.
        while (all.length - offset > sealedBytes) {
          this.push(
            this.open(all.subarray(offset, offset + sealedBytes), false),
          );
          offset += sealedBytes;
        }
        this.consume(offset);
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (!this.header && !this.readHeader()) {
        throw new DecryptionError(
          `${this.options.label} ends inside its encryption header: the artifact was cut short`,
        );
      }
      const rest = this.buffered();
      if (rest.length < TAG_BYTES) {
        throw new DecryptionError(
          `${this.options.label} ends without its final chunk: the artifact was cut short`,
        );
      }
      this.push(this.open(rest, true));
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}
