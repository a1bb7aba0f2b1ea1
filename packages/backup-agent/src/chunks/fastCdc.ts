import { createHash } from 'node:crypto';

/**
 * FastCDC (Xia et al., "FastCDC: a Fast and Efficient Content-Defined Chunking Approach for
 * Data Deduplication", USENIX ATC 2016): normalized chunking level 2 (a harder mask of avg+2
 * bits before the average size, an easier one of avg-2 bits after it) and cut-point skipping
 * below the minimum, with the paper's ratios of minimum 1/4 and maximum 8 times the average,
 * at an average of 1 KiB instead of its 8 KiB. The gear hash is 32-bit (JavaScript's fast
 * integers) and its masks spread their bits over the high 24 bits, where a bit depends on up
 * to 32 bytes of the window.
 *
 * Why 1 KiB: a day of changes to a database touches rows spread over its tables, and every
 * chunk holding a changed row is new. On the dedup bench's dump (1 % of orders updated, spread
 * evenly) 8 KiB chunks made 29 MB of each 92 MB dump new, 2 KiB 15 MB, 1 KiB 10 MB, 512 B 6 MB;
 * the per-chunk costs (an id in the pack header, a hash call) grow the other way. Chunks are
 * compressed in frames of many (framePack.ts), so small chunks cost no compression ratio.
 *
 * The gear table, masks and sizes are part of the stored format: changing them changes every
 * cut point, so every chunk of the next backup would be new. They never change within a
 * `chunker` name recorded in the manifest (`fastcdc-2016-gear32-v1` was 2/8/64 KiB).
 */
export const CHUNKER = 'fastcdc-2016-gear32-v1-1k';

export interface ChunkerParameters {
  minBytes: number;
  averageBytes: number;
  maxBytes: number;
}

export const FASTCDC_PARAMETERS: ChunkerParameters = {
  minBytes: 256,
  averageBytes: 1024,
  maxBytes: 8 * 1024,
};

/** 256 fixed pseudo-random words: sha256("safekeep gear" || i), first 4 bytes. */
const GEAR = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    table[i] = createHash('sha256')
      .update(`safekeep gear ${i}`)
      .digest()
      .readInt32BE(0);
  }
  return table;
})();

/** A mask of `bits` ones spread evenly over bit positions 31..8. */
function spreadMask(bits: number): number {
  let mask = 0;
  for (let i = 0; i < bits; i++) {
    mask |= 1 << (31 - Math.floor((i * 24) / bits));
  }
  return mask | 0;
}

/**
 * Finds cut points in a stream. Feed it buffers; it returns the lengths of the chunks that
 * ended in them. `finish()` returns the length of the last, shorter chunk (0 when none).
 */
export class FastCdc {
  private readonly maskSmall: number;
  private readonly maskLarge: number;
  private readonly min: number;
  private readonly normal: number;
  private readonly max: number;
  /** Bytes of the current, unfinished chunk. */
  private length = 0;
  private hash = 0;

  constructor(parameters: ChunkerParameters = FASTCDC_PARAMETERS) {
    const bits = Math.round(Math.log2(parameters.averageBytes));
    if (2 ** bits !== parameters.averageBytes) {
      throw new Error(
        `the average chunk size must be a power of two, not ${parameters.averageBytes}`,
      );
    }
    this.maskSmall = spreadMask(bits + 2);
    this.maskLarge = spreadMask(bits - 2);
    this.min = parameters.minBytes;
    this.normal = parameters.averageBytes;
    this.max = parameters.maxBytes;
  }

  /** Lengths of the chunks that end in `data` (the first one may have started earlier). */
  push(data: Uint8Array): number[] {
    const cuts: number[] = [];
    let position = 0;
    const size = data.length;
    let length = this.length;
    let hash = this.hash;
    while (position < size) {
      // Cut-point skipping: no boundary below the minimum, so the hash need not run there.
      if (length < this.min) {
        const skip = Math.min(this.min - length, size - position);
        position += skip;
        length += skip;
        hash = 0;
        continue;
      }
      const mask = length < this.normal ? this.maskSmall : this.maskLarge;
      const stop = Math.min(
        size,
        position + ((length < this.normal ? this.normal : this.max) - length),
      );
      let cut = false;
      while (position < stop) {
        hash = ((hash << 1) + GEAR[data[position]]) | 0;
        position++;
        length++;
        if ((hash & mask) === 0) {
          cut = true;
          break;
        }
      }
      if (cut || length >= this.max) {
        cuts.push(length);
        length = 0;
        hash = 0;
      }
    }
    this.hash = hash;
    this.length = length;
    return cuts;
  }

  finish(): number {
    const last = this.length;
    this.length = 0;
    this.hash = 0;
    return last;
  }
}
