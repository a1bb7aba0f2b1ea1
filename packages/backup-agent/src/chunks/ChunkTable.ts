import { ID_BYTES } from './packFile';

/** Per row: pack number, chunk number in the pack, frame number in the pack. */
const FIELDS = 3;
const FIRST_CAPACITY = 4096;

/** The first four bytes of an id (uniformly random: a sha256 or an HMAC), little-endian. */
function hashOfKey(key: string): number {
  return (
    (key.charCodeAt(0) |
      (key.charCodeAt(1) << 8) |
      (key.charCodeAt(2) << 16) |
      (key.charCodeAt(3) << 24)) >>>
    0
  );
}

/**
 * The chunks a backup knows, the pool's and those it stores, by id: about 52 bytes each, in a
 * few typed arrays (ids, places, an open-addressed hash of rows), with no object per chunk.
 * With 1 KiB chunks a 400 MiB database is some 170 000 chunks and a tier's pool holds every
 * database stored there; as a Map of latin1 keys to location objects they took about 120
 * bytes each plus the collector's work, and a backup's peak memory grew with the pool.
 *
 * Ids are latin1 strings of their 32 bytes (ChunkCodec.key). A chunk a backup meets for the
 * first time gets a row at once, placed in its pack once its frame is in one (`place`) and
 * its pack is sealed (`setPack`); the index that names the place is written after every pack.
 */
export class ChunkTable {
  private ids = Buffer.alloc(FIRST_CAPACITY * ID_BYTES);
  private cells = new Uint32Array(FIRST_CAPACITY * FIELDS);
  /** Row + 1 per slot, 0 when empty; at most half full. */
  private slots = new Int32Array(FIRST_CAPACITY * 2);
  private readonly packIds: string[] = [];
  private readonly packNumber = new Map<string, number>();
  private readonly scratch = Buffer.alloc(ID_BYTES);
  size = 0;

  /** The row of a chunk id, -1 when the table does not hold it. */
  find(key: string): number {
    this.scratch.write(key, 0, ID_BYTES, 'latin1');
    const mask = this.slots.length - 1;
    for (let slot = hashOfKey(key) & mask; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot];
      if (held === 0) return -1;
      const row = held - 1;
      if (
        this.ids.compare(
          this.scratch,
          0,
          ID_BYTES,
          row * ID_BYTES,
          (row + 1) * ID_BYTES,
        ) === 0
      )
        return row;
    }
  }

  /** A new row for an id the table does not hold (see find); placed later. */
  add(key: string): number {
    if (this.size === this.ids.length / ID_BYTES) this.grow();
    const row = this.size++;
    this.ids.write(key, row * ID_BYTES, ID_BYTES, 'latin1');
    this.insert(row, hashOfKey(key));
    return row;
  }

  /** Where a row's chunk lies in its pack: its number and its frame's. */
  place(row: number, number: number, frame: number): void {
    this.cells[row * FIELDS + 1] = number;
    this.cells[row * FIELDS + 2] = frame;
  }

  setPack(row: number, pack: string): void {
    let n = this.packNumber.get(pack);
    if (n === undefined) {
      n = this.packIds.length;
      this.packIds.push(pack);
      this.packNumber.set(pack, n);
    }
    this.cells[row * FIELDS] = n;
  }

  /** Adds a stored chunk (from a pack's header) unless the table holds its id already. */
  addStored(key: string, pack: string, number: number, frame: number): void {
    if (this.find(key) !== -1) return;
    const row = this.add(key);
    this.setPack(row, pack);
    this.place(row, number, frame);
  }

  pack(row: number): string {
    return this.packIds[this.cells[row * FIELDS]];
  }

  number(row: number): number {
    return this.cells[row * FIELDS + 1];
  }

  frame(row: number): number {
    return this.cells[row * FIELDS + 2];
  }

  /** The row's id (a copy). */
  id(row: number): Buffer {
    return Buffer.from(this.ids.subarray(row * ID_BYTES, (row + 1) * ID_BYTES));
  }

  /** Forgets the rows from `size` on (those a failed artifact added). */
  truncate(size: number): void {
    if (size >= this.size) return;
    this.size = size;
    this.slots.fill(0);
    this.rehash();
  }

  private insert(row: number, hash: number): void {
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = row + 1;
  }

  private grow(): void {
    const capacity = (this.ids.length / ID_BYTES) * 2;
    const ids = Buffer.alloc(capacity * ID_BYTES);
    this.ids.copy(ids);
    this.ids = ids;
    const cells = new Uint32Array(capacity * FIELDS);
    cells.set(this.cells);
    this.cells = cells;
    this.slots = new Int32Array(capacity * 2);
    this.rehash();
  }

  private rehash(): void {
    for (let row = 0; row < this.size; row++)
      this.insert(row, this.ids.readUInt32LE(row * ID_BYTES));
  }
}

/** A growing list of rows (a stream's chunks in order), 4 bytes each. */
export class RowList {
  private rows = new Uint32Array(FIRST_CAPACITY);
  length = 0;

  push(row: number): void {
    if (this.length === this.rows.length) {
      const grown = new Uint32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.length++] = row;
  }

  at(i: number): number {
    return this.rows[i];
  }
}
