import type { SnapshotStorage } from '../storage/SnapshotStorage';
import type { ChunkCodec } from './chunkCodec';
import type { Piece, StoredFrame } from './chunkLayout';
import { packKey } from './packFile';

/**
 * Neighbouring frames of a pack are read together up to this size: one request, not many. A
 * span is held until its last frame is decoded, at most one per pack at a time.
 */
const READ_SPAN_BYTES = 2 * 1024 * 1024;
/** Frames decoded ahead of the consumer, on libuv's thread pool, while it hashes and writes. */
const DECODE_AHEAD = 8;
/**
 * Decoded frames held for later pieces. A snapshot made of many backups' frames interleaves
 * them (each backup's new chunks are spread over the stream), so a frame is held from its first
 * use to its last; past this many the oldest is dropped and read again if needed.
 */
const MAX_HELD_FRAMES = 256;
/** Raw bytes handed on at once: fewer, larger writes into the engine's restore. */
const OUTPUT_BYTES = 256 * 1024;

/**
 * The raw bytes of `pieces`, in order: each frame read once where possible (neighbours in one
 * ranged read), decoded (decrypted, decompressed, checked against its digest) ahead of need,
 * and held while later pieces still use it. A missing pack or a short read throws.
 */
export async function* readPieces(
  storage: SnapshotStorage,
  pool: string,
  codec: ChunkCodec,
  pieces: Piece[],
  label: string,
): AsyncGenerator<Buffer> {
  // Frames in the order they are first needed, and how many pieces use each.
  const order: StoredFrame[] = [];
  const position = new Map<string, number>();
  const uses = new Map<string, number>();
  for (const { frame } of pieces) {
    const count = uses.get(frame.key);
    if (count === undefined) {
      position.set(frame.key, order.length);
      order.push(frame);
    }
    uses.set(frame.key, (count ?? 0) + 1);
  }
  // Spans: per pack, runs of those frames that lie back to back in it. Per pack, because a
  // snapshot interleaves frames of many backups' packs, each pack's in its own order.
  interface Span {
    first: StoredFrame;
    bytes: number;
    /** Frames of the span not yet being decoded. */
    left: number;
  }
  const spanOf = new Map<string, Span>();
  const openSpans = new Map<string, { span: Span; last: StoredFrame }>();
  for (const frame of order) {
    const open = openSpans.get(frame.pack);
    if (
      open &&
      open.last.offset + open.last.storedBytes === frame.offset &&
      open.span.bytes + frame.storedBytes <= READ_SPAN_BYTES
    ) {
      open.span.bytes += frame.storedBytes;
      open.span.left++;
      open.last = frame;
      spanOf.set(frame.key, open.span);
    } else {
      const span = { first: frame, bytes: frame.storedBytes, left: 1 };
      openSpans.set(frame.pack, { span, last: frame });
      spanOf.set(frame.key, span);
    }
  }

  const read = async (frame: StoredFrame, length: number) => {
    const bytes = await storage.getObject(packKey(pool, frame.pack), {
      offset: frame.offset,
      length,
    });
    if (bytes.length !== length) {
      throw new Error(
        `${label}: pack ${frame.pack} is shorter than its index says; chunks are missing`,
      );
    }
    return bytes;
  };
  const spanReads = new Map<Span, Promise<Buffer>>();
  const decoded = new Map<string, Promise<Buffer>>();
  const decode = (
    frame: StoredFrame,
    stored: Promise<Buffer>,
    base: number,
  ) => {
    const raw = stored.then(bytes =>
      codec.decode(
        frame.digest,
        bytes.subarray(
          frame.offset - base,
          frame.offset - base + frame.storedBytes,
        ),
        frame.encoding,
        label,
        frame.what,
      ),
    );
    // Awaited when its piece comes; a failure ahead of that is never left unhandled.
    raw.catch(() => undefined);
    decoded.set(frame.key, raw);
    while (decoded.size > MAX_HELD_FRAMES)
      decoded.delete(decoded.keys().next().value!);
  };
  let next = 0;
  const decodeAhead = (upTo: number) => {
    for (; next < order.length && next <= upTo; next++) {
      const frame = order[next];
      const own = spanOf.get(frame.key)!;
      let bytes = spanReads.get(own);
      if (!bytes) {
        bytes = read(own.first, own.bytes);
        bytes.catch(() => undefined);
        spanReads.set(own, bytes);
      }
      if (--own.left === 0) spanReads.delete(own);
      decode(frame, bytes, own.first.offset);
    }
  };

  let out: Buffer[] = [];
  let outBytes = 0;
  for (const piece of pieces) {
    const { frame } = piece;
    decodeAhead(position.get(frame.key)! + DECODE_AHEAD);
    let raw = decoded.get(frame.key);
    if (!raw) {
      // Dropped while held: read and decode it alone.
      decode(frame, read(frame, frame.storedBytes), frame.offset);
      raw = decoded.get(frame.key)!;
    }
    const bytes = await raw;
    out.push(bytes.subarray(piece.start, piece.start + piece.length));
    outBytes += piece.length;
    const left = uses.get(frame.key)! - 1;
    uses.set(frame.key, left);
    if (left === 0) decoded.delete(frame.key);
    if (outBytes >= OUTPUT_BYTES) {
      yield out.length === 1 ? out[0] : Buffer.concat(out);
      out = [];
      outBytes = 0;
    }
  }
  if (outBytes > 0) yield out.length === 1 ? out[0] : Buffer.concat(out);
}
