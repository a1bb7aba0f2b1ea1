import { Transform, TransformCallback } from 'node:stream';
import { allowedRawBytes } from '../snapshots/restoreBounds';

/**
 * Passes decompressed bytes through and fails the stream as soon as they exceed what the
 * manifest records (plus the margin), so a decompression bomb never reaches the disk in full.
 */
export class RawSizeLimit extends Transform {
  private bytes = 0;
  private readonly limit: number;

  constructor(
    private readonly rawBytes: number,
    private readonly label: string,
  ) {
    super();
    this.limit = allowedRawBytes(rawBytes);
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      callback(
        new Error(
          `${this.label} inflates past the ${this.limit} bytes its manifest records (raw_bytes ${this.rawBytes} plus the margin); the restore was stopped before replacing anything (a decompression bomb or a forged snapshot)`,
        ),
      );
      return;
    }
    callback(null, chunk);
  }
}
