import { Transform } from 'node:stream';
import type * as tar from 'tar';
import { tarLibrary } from '../../libraries';
import {
  ArchiveEntryFacts,
  findEscapingLinksInEntries,
  unsafeEntryReason,
} from '../directory/archiveSafety';
import { tooManyFilesReason } from '../../snapshots/restoreBounds';

const FILE_TYPES = ['File', 'OldFile', 'ContiguousFile'];

/**
 * Reads a tar stream as it flows past (to Docker or to storage): counts regular files and
 * their bytes, and judges every entry with the directory engine's archive safety rules
 * (absolute paths, "..", links leading outside, devices, and chains of links).
 */
export class TarInspector {
  readonly counts = { files: 0, bytes: 0 };
  readonly problems: string[] = [];
  /** Mode and owner the archive records for its root folder ("." or "./"). */
  root?: { mode: number; uid: number; gid: number };
  private readonly entries: ArchiveEntryFacts[] = [];
  private readonly parser = new (tarLibrary().Parser)();
  private readonly ended: Promise<void>;
  private finished?: Promise<void>;

  /** `recordedFiles`: the manifest's file count; far more is a problem (restoreBounds). */
  constructor(private readonly recordedFiles?: number) {
    this.parser.on('entry', (entry: tar.ReadEntry) => {
      const facts = {
        path: entry.path,
        type: entry.type,
        linkpath: entry.linkpath,
      };
      const reason = unsafeEntryReason(facts);
      if (reason) this.problems.push(reason);
      this.entries.push(facts);
      if (entry.type === 'Directory' && /^(\.\/?)?$/.test(entry.path)) {
        this.root = {
          mode: (entry.mode ?? 0o755) & 0o7777,
          uid: entry.uid ?? 0,
          gid: entry.gid ?? 0,
        };
      }
      if (FILE_TYPES.includes(entry.type)) {
        this.counts.files++;
        this.counts.bytes += entry.size ?? 0;
        const tooMany = tooManyFilesReason(
          this.counts.files,
          this.recordedFiles,
        );
        if (tooMany && !this.problems.includes(tooMany))
          this.problems.push(tooMany);
      }
      entry.resume();
    });
    this.parser.on('warn', (_code: string, message: string) =>
      this.problems.push(`the archive is damaged: ${message}`),
    );
    this.ended = new Promise(resolve => this.parser.on('end', () => resolve()));
  }

  /**
   * A pass-through that feeds the inspector; with `refuseUnsafe` it fails as soon as an unsafe
   * entry is seen, before passing that chunk on.
   */
  passThrough(
    refuseUnsafe: boolean,
    describe: (problems: string[]) => Error,
  ): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.parser.write(chunk);
        if (refuseUnsafe && this.problems.length > 0)
          done(describe(this.problems));
        else done(null, chunk);
      },
      flush: done => {
        this.finish()
          .then(() =>
            done(
              refuseUnsafe && this.problems.length > 0
                ? describe(this.problems)
                : null,
            ),
          )
          .catch(done);
      },
    });
  }

  /** Ends parsing and adds the chain-of-links findings (once). */
  finish(): Promise<void> {
    this.finished ??= (async () => {
      this.parser.end();
      await this.ended;
      this.problems.push(...findEscapingLinksInEntries(this.entries));
    })();
    return this.finished;
  }
}
