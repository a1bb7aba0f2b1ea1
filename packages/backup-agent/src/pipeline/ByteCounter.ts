import { Transform, TransformCallback } from 'node:stream';

export const emptyDumpError = (name: string) =>
  `${name} came out empty although its tool always writes a header: its output was lost, so nothing was stored as good; back up again, and report this if it repeats`;

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
      /** Said when the stream ended without a byte although it never may (a dump). */
      emptyError?: string;
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
    const done = () =>
      callback(
        this.bytes === 0 && this.options.emptyError
          ? new Error(this.options.emptyError)
          : undefined,
      );
    if (!this.options.completion) {
      done();
      return;
    }
    this.options.completion.then(done, error =>
      callback(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
