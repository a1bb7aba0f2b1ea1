import { Transform, TransformCallback } from 'node:stream';

/** The block size compressors get: each call into zlib/zstd costs a trip to the thread pool. */
export const COMPRESSOR_BLOCK_BYTES = 1024 * 1024;

/**
 * Joins small chunks into blocks of `blockBytes` (the last one shorter). A dump tool's stdout
 * arrives in 64 KiB pipe reads; handing zstd 1 MiB at a time instead makes Node's compressor
 * about three times faster (measured: 686 MiB of pg_dump output in 1.2 s instead of 3.6 s).
 */
export class CoalesceChunks extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly blockBytes = COMPRESSOR_BLOCK_BYTES) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.blockBytes) this.release();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingBytes > 0) this.release();
    callback();
  }

  private release(): void {
    this.push(
      this.pending.length === 1
        ? this.pending[0]
        : Buffer.concat(this.pending, this.pendingBytes),
    );
    this.pending = [];
    this.pendingBytes = 0;
  }
}
