import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { useTempDir } from '../testing/tempDir';
import type { EngineBackup } from './EngineDriver';
import {
  liveStagedCopies,
  removeLiveStagedCopies,
  stageBackup,
  stageStream,
} from './stagedCopy';

const read = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

const files = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

/** A backup of one artifact whose producer may fail at the end (completion rejects). */
function fakeBackup(
  body: string,
  failure?: Error,
): EngineBackup & { closed: boolean } {
  const backup = {
    closed: false,
    async *artifacts() {
      const completion = failure ? Promise.reject(failure) : Promise.resolve();
      completion.catch(() => undefined);
      yield {
        name: 'files.tar',
        description: 'a tar',
        stream: Readable.from([Buffer.from(body)]),
        completion,
      };
    },
    details: async () => ({ files: 1 }),
    close: async () => {
      backup.closed = true;
    },
  };
  return backup;
}

describe('staged copies (a cut copies raw bytes to staging, stores them later)', () => {
  const tempDir = useTempDir();
  it('stages a backup, reads it back from the copy, and deletes the copy on close', async () => {
    const staging = path.join(tempDir(), 'staging');
    const original = fakeBackup('the bytes');
    const staged = await stageBackup(original, staging, 'files');
    // The original (its helper container) is closed as soon as it is copied.
    expect(original.closed).toBe(true);
    expect(files(staging)).toHaveLength(1);
    const artifacts = [];
    for await (const artifact of staged.artifacts()) artifacts.push(artifact);
    expect(artifacts.map(a => a.name)).toEqual(['files.tar']);
    expect(await read(artifacts[0].stream)).toBe('the bytes');
    expect(await staged.details()).toEqual({ files: 1 });
    await staged.close();
    expect(files(staging)).toEqual([]);
    expect(liveStagedCopies()).toEqual([]);
  });

  it('deletes the copy when the producer fails after its stream ended', async () => {
    const staging = path.join(tempDir(), 'staging');
    const original = fakeBackup('half', new Error('tar exited with code 2'));
    await expect(stageBackup(original, staging, 'files')).rejects.toThrow(
      'tar exited with code 2',
    );
    expect(original.closed).toBe(true);
    expect(files(staging)).toEqual([]);
  });

  it('deletes a partial copy when the source stream fails', async () => {
    const staging = path.join(tempDir(), 'staging');
    const source = new Readable({
      read() {
        this.push(Buffer.from('part'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(stageStream(source, staging, 'v.tar')).rejects.toThrow(
      'connection reset',
    );
    expect(files(staging)).toEqual([]);
  });

  it('the exit hooks delete copies that no finally removed (signal, crash)', async () => {
    const staging = path.join(tempDir(), 'staging');
    const copy = await stageStream(
      Readable.from([Buffer.from('x')]),
      staging,
      'v.tar',
    );
    expect(liveStagedCopies()).toEqual([copy.path]);
    expect(removeLiveStagedCopies()).toBe(0);
    expect(files(staging)).toEqual([]);
    expect(liveStagedCopies()).toEqual([]);
  });
});
