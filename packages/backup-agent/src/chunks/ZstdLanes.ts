import type { Transform } from 'node:stream';
import zlib from 'node:zlib';

/** A zlib zstd stream (compress or decompress), as Node's typings do not list them yet. */
export type ZstdStream = Transform & {
  flush(kind: number, callback: () => void): void;
};

export const zstdConstants = zlib.constants as unknown as Record<
  string,
  number
>;
export const zlibZstd = zlib as unknown as {
  createZstdCompress(options?: object): ZstdStream;
  createZstdDecompress(options?: object): ZstdStream;
};

/** Contexts kept busy at once: libuv's thread pool runs them next to the main thread's work. */
const LANES = 2;
/**
 * zlib hands output back in pieces of this size (16 KiB by default: a callback into the main
 * thread, and a re-entry into zstd, every 16 KiB); a 128 KiB frame fits in one piece.
 */
export const OUTPUT_PIECE_BYTES = 256 * 1024;

interface Lane {
  stream: ZstdStream;
  output: Buffer[];
  failure?: Error;
  /** The input being processed: a stream that errors never calls its flush back. */
  pending?: (error: Error) => void;
  /** The last input queued on this lane: the next one starts after it. */
  tail: Promise<unknown>;
}

/**
 * A few kept zstd contexts, each fed one whole input at a time and flushed with `flushKind`,
 * its output handed back joined: many small frames through reused contexts instead of a context
 * per frame (zlib.zstdCompress / zstdDecompress), whose set-up and callbacks cost more than the
 * work at 128 KiB frames. A failing input rejects; the lane it ran on fails from then on.
 */
export class ZstdLanes {
  private readonly lanes: Lane[];
  private next = 0;

  constructor(open: () => ZstdStream, private readonly flushKind: number) {
    this.lanes = Array.from({ length: LANES }, () => {
      const lane: Lane = {
        stream: open(),
        output: [],
        tail: Promise.resolve(),
      };
      lane.stream.on('data', (part: Buffer) => lane.output.push(part));
      lane.stream.on('error', error => {
        lane.failure = error;
        lane.pending?.(error);
      });
      return lane;
    });
  }

  run(input: Buffer): Promise<Buffer> {
    const lane = this.lanes[this.next];
    this.next = (this.next + 1) % this.lanes.length;
    const result = lane.tail.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (lane.failure) {
            reject(lane.failure);
            return;
          }
          lane.pending = reject;
          lane.stream.write(input);
          lane.stream.flush(this.flushKind, () => {
            lane.pending = undefined;
            if (lane.failure) {
              reject(lane.failure);
              return;
            }
            const bytes =
              lane.output.length === 1
                ? lane.output[0]
                : Buffer.concat(lane.output);
            lane.output = [];
            resolve(bytes);
          });
        }),
    );
    lane.tail = result.catch(() => undefined);
    return result;
  }

  /** Frees the contexts. */
  close(): void {
    for (const lane of this.lanes) lane.stream.destroy();
  }
}
