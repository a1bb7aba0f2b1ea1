import fs from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as tar from 'tar';
import { tarLibrary } from '../libraries';

const BLOCK = 512;

interface EntryOwner {
  mode: number;
  uid?: number;
  gid?: number;
}

function header(data: tar.HeaderData): Buffer {
  const block = Buffer.alloc(BLOCK);
  new (tarLibrary().Header)({
    mtime: new Date(),
    uid: 0,
    gid: 0,
    ...data,
  }).encode(block, 0);
  return block;
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/**
 * A tar holding one file, built in memory: how a secret file or a small input reaches a
 * container through the archive API (putArchive), with its mode and owner set in the header.
 */
export function tarWithFile(
  name: string,
  content: string | Buffer,
  owner: EntryOwner,
): Buffer {
  const body = Buffer.from(content);
  return Buffer.concat([
    header({
      path: name,
      type: 'File',
      size: body.length,
      mode: owner.mode,
      uid: owner.uid,
      gid: owner.gid,
    }),
    body,
    padding(body.length),
    Buffer.alloc(BLOCK * 2),
  ]);
}

/** A tar holding one empty folder. */
export function tarWithDirectory(name: string, owner: EntryOwner): Buffer {
  return Buffer.concat([
    header({
      path: name.endsWith('/') ? name : `${name}/`,
      type: 'Directory',
      size: 0,
      mode: owner.mode,
      uid: owner.uid,
      gid: owner.gid,
    }),
    Buffer.alloc(BLOCK * 2),
  ]);
}

/**
 * The content of the one regular file in a tar stream (what the archive API returns for a
 * file path), as a stream with backpressure. Rejects when the archive holds no file.
 */
export function openSingleFile(
  archive: NodeJS.ReadableStream,
  what: string,
): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const content = new PassThrough();
    let found = false;
    const parser = new (tarLibrary().Parser)();
    parser.on('entry', (entry: tar.ReadEntry) => {
      if (found || entry.type !== 'File') {
        entry.resume();
        return;
      }
      found = true;
      resolve(content);
      entry.pipe(content);
    });
    parser.on('end', () => {
      if (!found)
        reject(new Error(`${what} is not a file (the archive holds no file)`));
    });
    pipeline(
      archive as Readable,
      parser as unknown as NodeJS.WritableStream,
    ).catch(error => {
      if (found) content.destroy(error);
      else reject(error);
    });
  });
}

/** Writes the one file of a tar stream to `localPath` (mode 0600, refusing an existing file). */
export async function extractSingleFile(
  archive: NodeJS.ReadableStream,
  localPath: string,
  what: string,
): Promise<void> {
  const content = await openSingleFile(archive, what);
  await pipeline(
    content,
    fs.createWriteStream(localPath, { flags: 'wx', mode: 0o600 }),
  );
}

/**
 * A tar stream holding one file whose content streams from `content` (a restore artifact):
 * its size must be known for the header, and the stream fails if the content turns out
 * shorter or longer, or fails itself (a checksum mismatch), so nothing half-written is used.
 */
export function tarStreamOfFile(
  name: string,
  size: number,
  content: Readable,
  owner: EntryOwner,
): Readable {
  return Readable.from(
    (async function* entries() {
      yield header({
        path: name,
        type: 'File',
        size,
        mode: owner.mode,
        uid: owner.uid,
        gid: owner.gid,
      });
      let seen = 0;
      for await (const chunk of content) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        seen += buffer.length;
        if (seen > size)
          throw new Error(
            `${name} is longer than the ${size} bytes its manifest records`,
          );
        yield buffer;
      }
      if (seen !== size)
        throw new Error(
          `${name} holds ${seen} bytes, its manifest records ${size}`,
        );
      yield padding(size);
      yield Buffer.alloc(BLOCK * 2);
    })(),
    { objectMode: false },
  );
}
