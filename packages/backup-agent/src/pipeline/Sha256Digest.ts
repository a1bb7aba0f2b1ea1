import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

export class ChecksumMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecksumMismatchError';
  }
}

/**
 * sha256 and byte count of the bytes passing through, computed in flight. With `expected`,
 * the stream fails at its end when either differs, so a reader never sees a clean end of
 * corrupted data.
 */
export class Sha256Digest extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private digest?: string;

  constructor(
    private readonly options: {
      expected?: { sha256: string; bytes: number; label: string };
      onBytes?: (bytes: number) => void;
    } = {},
  ) {
    super();
  }

  get sha256(): string {
    if (!this.digest)
      throw new Error('sha256 is known only after the stream ended');
    return this.digest;
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.options.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    const expected = this.options.expected;
    if (
      expected &&
      (expected.sha256 !== this.digest || expected.bytes !== this.bytes)
    ) {
      callback(
        new ChecksumMismatchError(
          `${expected.label}: stored data does not match the manifest (sha256 ${this.digest}, ${this.bytes} bytes; manifest says sha256 ${expected.sha256}, ${expected.bytes} bytes)`,
        ),
      );
      return;
    }
    callback();
  }
}
