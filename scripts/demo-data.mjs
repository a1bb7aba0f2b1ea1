// Creates the demo targets on first start: a SQLite database with notes and a directory of
// attachments. Idempotent: existing data is left alone (it may be a restored backup).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function ensureDemoData(dataDir) {
  const demoDir = join(dataDir, 'demo');
  mkdirSync(demoDir, { recursive: true });
  mkdirSync(join(dataDir, 'snapshots'), { recursive: true });

  const dbPath = join(demoDir, 'notes.db');
  if (!existsSync(dbPath)) {
    const Database = require('better-sqlite3');
    const db = new Database(dbPath);
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL);
             CREATE TABLE tags (note_id INTEGER NOT NULL REFERENCES notes(id), tag TEXT NOT NULL);`);
    const insertNote = db.prepare(
      'INSERT INTO notes (title, body, created_at) VALUES (?, ?, ?)',
    );
    const insertTag = db.prepare(
      'INSERT INTO tags (note_id, tag) VALUES (?, ?)',
    );
    db.transaction(() => {
      for (let i = 1; i <= 2000; i++) {
        const { lastInsertRowid } = insertNote.run(
          `Note ${i}`,
          `Body of note ${i}: ${'lorem ipsum dolor sit amet '.repeat(
            1 + (i % 20),
          )}`,
          new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
        );
        insertTag.run(lastInsertRowid, ['ops', 'backup', 'demo'][i % 3]);
      }
    })();
    db.close();
    console.log(`safekeep: created demo database ${dbPath}`);
  }

  const attachments = join(demoDir, 'attachments');
  if (!existsSync(attachments)) {
    mkdirSync(join(attachments, 'images'), { recursive: true });
    mkdirSync(join(attachments, '.cache'), { recursive: true });
    for (let i = 1; i <= 20; i++) {
      writeFileSync(
        join(attachments, `report-${i}.txt`),
        `Attachment ${i}\n`.repeat(200 * i),
      );
    }
    writeFileSync(
      join(attachments, 'images', 'diagram.svg'),
      '<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>\n',
    );
    // Caches are excluded from directory backups by default; this shows it.
    writeFileSync(
      join(attachments, '.cache', 'thumbnail.bin'),
      Buffer.alloc(4096, 7),
    );
    console.log(`safekeep: created demo attachments ${attachments}`);
  }
}
