import { Transform, TransformCallback } from 'node:stream';

/**
 * Passes bytes through and counts them. When given `completion`, it only ends once that
 * settles, and fails the stream when it rejects: a dump tool that exits non-zero after
 * closing its stdout still fails the run before anything is committed.
 */
export class ByteCounter extends Transform {
  bytes = 0;

  constructor(
    private readonly options: {
      completion?: Promise<void>;
      onBytes?: (bytes: number) => void;
    } = {},
  ) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    this.bytes += chunk.length;
    this.options.onBytes?.(this.bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (!this.options.completion) {
      callback();
      return;
    }
    this.options.completion.then(
      () => callback(),
      error =>
        callback(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
