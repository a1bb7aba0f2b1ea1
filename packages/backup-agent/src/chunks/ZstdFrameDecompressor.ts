import type { Transform } from 'node:stream';
import zlib from 'node:zlib';

const zlibZstd = zlib as unknown as {
  createZstdDecompress: (options?: object) => Transform & {
    flush(kind: number, callback: () => void): void;
  };
};
const constants = zlib.constants as unknown as Record<string, number>;
/** Contexts kept busy at once, on libuv's thread pool, next to the reader and the hasher. */
const LANES = 2;
/** zlib hands output back in pieces of this size: one piece for a whole 128 KiB frame. */
const OUTPUT_PIECE_BYTES = 256 * 1024;

interface Lane {
  stream: ReturnType<typeof zlibZstd.createZstdDecompress>;
  output: Buffer[];
  failure?: Error;
  /** The frame being decompressed: a damaged one errors the stream, and never flushes. */
  pending?: (error: Error) => void;
  /** The last frame queued on this lane: the next one starts after it. */
  tail: Promise<unknown>;
}

/**
 * The counterpart of ZstdChunkCompressor: many small zstd frames decompressed through a few
 * kept contexts (a zstd stream reads one frame after another), not a new context per frame
 * (zlib.zstdDecompress). In a profile of restoring the bench's 228 MB dump, a context per
 * frame cost the main thread a quarter of its time in zlib's set-up and callbacks.
 */
export class ZstdFrameDecompressor {
  private readonly lanes: Lane[];
  private next = 0;

  constructor() {
    this.lanes = Array.from({ length: LANES }, () => {
      const stream = zlibZstd.createZstdDecompress({
        chunkSize: OUTPUT_PIECE_BYTES,
      });
      const lane: Lane = { stream, output: [], tail: Promise.resolve() };
      stream.on('data', (part: Buffer) => lane.output.push(part));
      stream.on('error', error => {
        lane.failure = error;
        lane.pending?.(error);
      });
      return lane;
    });
  }

  /**
   * One whole zstd frame's content. A damaged frame rejects, or gives other bytes (which the
   * caller's digest check refuses); either way the lane's later frames are not to be trusted,
   * so a caller stops at the first failure, as a restore and a verify do.
   */
  decompress(frame: Buffer): Promise<Buffer> {
    const lane = this.lanes[this.next];
    this.next = (this.next + 1) % this.lanes.length;
    const content = lane.tail.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          if (lane.failure) {
            reject(lane.failure);
            return;
          }
          lane.pending = reject;
          lane.stream.write(frame);
          lane.stream.flush(constants.ZSTD_e_flush, () => {
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
    lane.tail = content.catch(() => undefined);
    return content;
  }

  close(): void {
    for (const lane of this.lanes) lane.stream.destroy();
  }
}
