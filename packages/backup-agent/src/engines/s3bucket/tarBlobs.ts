import type { Readable } from 'node:stream';
import { tarLibrary } from '../../libraries';

/**
 * A plain ustar archive of `blobs/<sha256>` files, written and read here entry by entry so
 * each object streams straight between S3 and the snapshot; `tar -x` unpacks it by hand.
 */
const BLOCK = 512;
const BLOB_NAME = /^blobs\/([0-9a-f]{64})$/;

export const TAR_END = Buffer.alloc(BLOCK * 2);

export function blobEntryName(sha256: string): string {
  return `blobs/${sha256}`;
}

export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const header = new (tarLibrary().Header)({
    path: name,
    mode: 0o644,
    size,
    mtime,
    type: 'File',
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
  });
  if (header.encode())
    throw new Error(`tar entry name ${name} is too long for a plain header`);
  return header.block!;
}

export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}

/** Exact-size reads over a byte stream. */
class ByteReader {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(stream: Readable) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  private async more(): Promise<boolean> {
    if (this.done) return false;
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return false;
    }
    const chunk = Buffer.isBuffer(next.value)
      ? next.value
      : Buffer.from(next.value);
    this.pending =
      this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return true;
  }

  /** Exactly n bytes, or null at a clean end of stream. */
  async exact(n: number): Promise<Buffer | null> {
    while (this.pending.length < n) {
      if (!(await this.more())) {
        if (this.pending.length === 0) return null;
        throw new Error(
          'objects.tar ends in the middle of an entry; the archive was cut short',
        );
      }
    }
    const out = this.pending.subarray(0, n);
    this.pending = this.pending.subarray(n);
    return out;
  }

  /** `state.left` bytes as chunks, without holding them all; `state` tracks what is left. */
  async *chunks(state: { left: number }): AsyncGenerator<Buffer> {
    while (state.left > 0) {
      if (this.pending.length === 0 && !(await this.more())) {
        throw new Error(
          'objects.tar ends in the middle of an entry; the archive was cut short',
        );
      }
      const take = Math.min(state.left, this.pending.length);
      const out = this.pending.subarray(0, take);
      this.pending = this.pending.subarray(take);
      state.left -= take;
      yield out;
    }
  }

  /** Reads to the end, so a checksum check at the stream's end gets to run. */
  async drain(): Promise<void> {
    this.pending = Buffer.alloc(0);
    while (await this.more()) this.pending = Buffer.alloc(0);
  }
}

export interface BlobEntry {
  sha256: string;
  size: number;
  /** Read it (or not) before asking for the next entry; unread bytes are skipped. */
  body: AsyncGenerator<Buffer>;
}

/** The blobs of an objects.tar, in order; refuses any other kind of entry. */
export async function* readBlobEntries(
  stream: Readable,
): AsyncGenerator<BlobEntry> {
  const reader = new ByteReader(stream);
  for (;;) {
    const block = await reader.exact(BLOCK);
    if (!block)
      throw new Error(
        'objects.tar has no end marker; the archive was cut short',
      );
    const header = new (tarLibrary().Header)(block);
    if (header.nullBlock) {
      await reader.drain();
      return;
    }
    if (!header.cksumValid)
      throw new Error('objects.tar has a damaged entry header');
    const match = BLOB_NAME.exec(header.path ?? '');
    if (header.type !== 'File' || !match)
      throw new Error(`objects.tar holds an unexpected entry "${header.path}"`);
    const size = header.size ?? 0;
    const state = { left: size };
    yield { sha256: match[1], size, body: reader.chunks(state) };
    // Whatever the consumer left unread is skipped, then the padding.
    for await (const _ of reader.chunks(state)) {
      // skip
    }
    await reader.exact((BLOCK - (size % BLOCK)) % BLOCK);
  }
}
