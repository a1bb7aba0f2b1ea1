import fsp from 'node:fs/promises';

/**
 * pg_dump's custom format (pg_backup_archiver.c, pg_backup_custom.c): a header, a table of
 * contents, then one data block per table. When pg_dump writes to a file it can seek in, it
 * goes back at the end and writes each block's offset into its TOC entry; when it writes to a
 * pipe, as the agent runs it, every entry says "offset not set". pg_restore --jobs can still
 * restore such an archive, but each worker finds a table's block by skipping over the blocks
 * before it chunk by chunk, and with -Z0 a chunk is one row: on the bench's 500 MiB database
 * that made a parallel restore no faster than a single one. `setDataOffsets` walks a staged
 * archive once and writes the offsets pg_dump would have written, in place, so pg_restore's
 * workers seek straight to their tables.
 *
 * Only what pg_dump itself writes in those places changes (a flag byte and an 8-byte offset per
 * entry with data); an archive of a format version this does not know is left as it is.
 */

/** Archive versions (major.minor) whose TOC layout this reads: PostgreSQL 9.0 to 17. */
const OLDEST = [1, 12];
const NEWEST = [1, 16];
const CUSTOM_FORMAT = 1;
/** Data block types. */
const BLK_DATA = 1;
const BLK_BLOBS = 3;
/** The flag before each TOC entry's offset. */
const OFFSET_NOT_SET = 1;
const OFFSET_SET = 2;
/** An int as pg_dump writes it: a sign byte and 4 bytes (the only size read: 64-bit builds). */
const INT_BYTES = 5;

export interface DataOffsetsResult {
  /** TOC entries given an offset. */
  set: number;
  /** Why nothing was changed, when nothing was. */
  skipped?: string;
}

class ArchiveEndsEarly extends Error {
  constructor() {
    super('the archive ends in the middle of an entry or block');
  }
}

/** Reads a file front to back through one buffer; skips jump without reading. */
class ArchiveReader {
  private buffer = Buffer.allocUnsafe(1024 * 1024);
  /** File offset of buffer[0]. */
  private start = 0;
  private length = 0;
  private at = 0;

  constructor(private readonly file: fsp.FileHandle) {}

  get offset(): number {
    return this.start + this.at;
  }

  /** Makes `bytes` bytes available unless the file ends first; false at the end. */
  async need(bytes: number): Promise<boolean> {
    if (this.length - this.at >= bytes) return true;
    this.buffer.copy(this.buffer, 0, this.at, this.length);
    this.start += this.at;
    this.length -= this.at;
    this.at = 0;
    while (this.length < bytes) {
      const { bytesRead } = await this.file.read(
        this.buffer,
        this.length,
        this.buffer.length - this.length,
        this.start + this.length,
      );
      if (bytesRead === 0) return false;
      this.length += bytesRead;
    }
    return true;
  }

  async byte(): Promise<number> {
    if (!(await this.need(1))) throw new ArchiveEndsEarly();
    return this.buffer[this.at++];
  }

  /** pg_dump's WriteInt: a sign byte, then 4 bytes, least significant first. */
  async int(): Promise<number> {
    if (!(await this.need(INT_BYTES))) throw new ArchiveEndsEarly();
    return this.bufferedInt()!;
  }

  /** The next int when it is in the buffer (no promise per row-sized chunk), else undefined. */
  bufferedInt(): number | undefined {
    if (this.length - this.at < INT_BYTES) return undefined;
    const negative = this.buffer[this.at] !== 0;
    const value = this.buffer.readUInt32LE(this.at + 1);
    this.at += INT_BYTES;
    return negative ? -value : value;
  }

  /** pg_dump's WriteStr: a length (-1 for none), then the bytes, skipped. */
  async skipText(): Promise<boolean> {
    const length = await this.int();
    if (length >= 0) this.skip(length);
    return length >= 0;
  }

  skip(bytes: number): void {
    if (this.length - this.at >= bytes) {
      this.at += bytes;
    } else {
      this.start = this.offset + bytes;
      this.length = 0;
      this.at = 0;
    }
  }
}

const atLeast = (v: number[], w: number[]) =>
  v[0] > w[0] || (v[0] === w[0] && v[1] >= w[1]);

/**
 * Writes the data offsets of a custom-format archive made without them (pg_dump to a pipe).
 * Throws only when the file cannot be read or written; an archive it cannot follow is left as
 * it is, with the reason.
 */
export async function setDataOffsets(path: string): Promise<DataOffsetsResult> {
  const file = await fsp.open(path, 'r+');
  try {
    return await writeOffsets(file);
  } catch (error) {
    if (error instanceof ArchiveEndsEarly)
      return { set: 0, skipped: error.message };
    throw error;
  } finally {
    await file.close();
  }
}

async function writeOffsets(file: fsp.FileHandle): Promise<DataOffsetsResult> {
  const reader = new ArchiveReader(file);
  if (!(await reader.need(11)))
    return { set: 0, skipped: 'shorter than an archive header' };
  const magic = await Promise.all([0, 1, 2, 3, 4].map(() => reader.byte()));
  if (Buffer.from(magic).toString('latin1') !== 'PGDMP')
    return { set: 0, skipped: 'not a pg_dump custom-format archive' };
  const version = [await reader.byte(), await reader.byte()];
  await reader.byte(); // revision
  if (!atLeast(version, OLDEST) || !atLeast(NEWEST, version))
    return {
      set: 0,
      skipped: `archive version ${version.join(
        '.',
      )} is not one this reads (${OLDEST.join('.')} to ${NEWEST.join('.')})`,
    };
  const intSize = await reader.byte();
  const offSize = await reader.byte();
  if (intSize !== 4 || offSize !== 8)
    return {
      set: 0,
      skipped: `integer sizes ${intSize}/${offSize} are not this machine's`,
    };
  if ((await reader.byte()) !== CUSTOM_FORMAT)
    return { set: 0, skipped: 'not the custom format' };
  if (atLeast(version, [1, 15])) await reader.byte();
  else await reader.int(); // compression
  for (let i = 0; i < 7; i++) await reader.int(); // creation time
  await reader.skipText(); // database name
  await reader.skipText(); // server version
  await reader.skipText(); // pg_dump version

  /** TOC entries without an offset: dump id -> where their offset flag is. */
  const flagAt = new Map<number, number>();
  const entries = await reader.int();
  for (let n = 0; n < entries; n++) {
    const dumpId = await reader.int();
    await reader.int(); // has a data dumper
    await reader.skipText(); // table oid
    await reader.skipText(); // oid
    await reader.skipText(); // tag
    await reader.skipText(); // desc
    await reader.int(); // section
    await reader.skipText(); // definition
    await reader.skipText(); // drop statement
    await reader.skipText(); // copy statement
    await reader.skipText(); // namespace
    await reader.skipText(); // tablespace
    if (atLeast(version, [1, 14])) await reader.skipText(); // table access method
    if (atLeast(version, [1, 16])) await reader.int(); // relkind
    await reader.skipText(); // owner
    await reader.skipText(); // "false": WITH OIDS
    while (await reader.skipText()); // dependencies, ended by a null
    const flag = reader.offset;
    const state = await reader.byte();
    reader.skip(offSize);
    if (state === OFFSET_NOT_SET) flagAt.set(dumpId, flag);
  }
  if (flagAt.size === 0) return { set: 0, skipped: 'its offsets are set' };

  const offsets = new Map<number, number>();
  while (await reader.need(1)) {
    const blockAt = reader.offset;
    const type = await reader.byte();
    const dumpId = await reader.int();
    if (type !== BLK_DATA && type !== BLK_BLOBS)
      return {
        set: 0,
        skipped: `an unknown block type ${type} at byte ${blockAt}`,
      };
    if (!flagAt.has(dumpId) || offsets.has(dumpId))
      return {
        set: 0,
        skipped: `a block of dump id ${dumpId} at byte ${blockAt} the TOC does not expect`,
      };
    offsets.set(dumpId, blockAt);
    // Large objects: (oid, chunks) pairs ended by oid 0; a table: chunks ended by length 0.
    for (;;) {
      if (type === BLK_BLOBS && (await reader.int()) === 0) break;
      let length = reader.bufferedInt() ?? (await reader.int());
      while (length > 0) {
        reader.skip(length);
        length = reader.bufferedInt() ?? (await reader.int());
      }
      if (type === BLK_DATA) break;
    }
  }

  const entry = Buffer.alloc(1 + offSize);
  for (const [dumpId, blockAt] of offsets) {
    entry[0] = OFFSET_SET;
    entry.writeBigUInt64LE(BigInt(blockAt), 1);
    await file.write(entry, 0, entry.length, flagAt.get(dumpId)!);
  }
  return { set: offsets.size };
}
