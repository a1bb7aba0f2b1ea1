import { createHash } from 'node:crypto';
import { ChunkTable, RowList } from './ChunkTable';

/** A chunk id as ChunkCodec.key gives it: 32 bytes as a latin1 string. */
const keyOf = (n: number) =>
  createHash('sha256').update(`chunk ${n}`).digest().toString('latin1');
const packOf = (n: number) =>
  createHash('sha256')
    .update(`pack ${n % 3}`)
    .digest('hex');

describe('ChunkTable', () => {
  it('finds every chunk it holds by id, past several growths, and no other', () => {
    const table = new ChunkTable();
    const count = 20_000; // several times the first capacity
    for (let n = 0; n < count; n++)
      table.addStored(keyOf(n), packOf(n), n, n >> 7);
    // The same chunk again (named by another pack) stays where it was first found.
    table.addStored(keyOf(7), packOf(8), 1, 1);
    expect(table.size).toBe(count);
    for (const n of [0, 7, 4095, 4096, 8191, 19_999]) {
      const row = table.find(keyOf(n));
      expect({
        id: table.id(row).toString('latin1') === keyOf(n),
        pack: table.pack(row),
        number: table.number(row),
        frame: table.frame(row),
      }).toEqual({ id: true, pack: packOf(n), number: n, frame: n >> 7 });
    }
    expect(table.find(keyOf(count))).toBe(-1);
  });

  it('forgets the rows a failed artifact added, and only those', () => {
    const table = new ChunkTable();
    for (let n = 0; n < 100; n++) table.addStored(keyOf(n), packOf(n), n, 0);
    const before = table.size;
    for (let n = 100; n < 5000; n++) table.add(keyOf(n));
    table.truncate(before);
    expect(table.size).toBe(100);
    expect(table.find(keyOf(4000))).toBe(-1);
    expect(table.find(keyOf(99))).toBe(99);
    // A row added after the truncation takes the place of the forgotten ones.
    expect(table.add(keyOf(4000))).toBe(100);
    expect(table.find(keyOf(4000))).toBe(100);
  });

  it('keeps a stream of rows in order', () => {
    const rows = new RowList();
    for (let i = 0; i < 10_000; i++) rows.push(i % 7);
    expect(rows.length).toBe(10_000);
    expect([rows.at(0), rows.at(6), rows.at(7), rows.at(9999)]).toEqual([
      0,
      6,
      0,
      9999 % 7,
    ]);
  });
});
