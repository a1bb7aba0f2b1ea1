import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { UnsafeArchiveError } from '../directory/DirectoryDriver';
import type { EngineBackup } from '../EngineDriver';
import { TarInspector } from './TarInspector';

/** Where a volume's tar comes from: a helper's stdout, or a staged copy of it. */
export interface TarSource {
  /** For the artifact's description: "helper container busybox". */
  via: string;
  /** `completion` settles once the whole tar was read (the inspector ends its parse then). */
  open(): Promise<{ stream: Readable; completion: Promise<void> }>;
  close(): Promise<void>;
}

/**
 * A volume's backup from a tar source: the tar is read through a TarInspector on its way to
 * storage (files and bytes counted for the manifest), and the backup fails when a restore
 * would refuse an entry.
 */
export function checkedTarBackup(
  volume: string,
  source: TarSource,
): EngineBackup {
  const inspector = new TarInspector();
  return {
    async *artifacts() {
      const opened = await source.open();
      const checked = inspector.passThrough(
        true,
        problems => new UnsafeArchiveError(problems),
      );
      opened.stream.pipe(checked);
      opened.stream.on('error', error => checked.destroy(error));
      // The parse ends only after the last chunk went through (the pass-through's flush).
      const completion = Promise.all([
        opened.completion,
        finished(checked, { readable: false }),
      ]).then(async () => {
        await inspector.finish();
        if (inspector.problems.length > 0) {
          throw new Error(
            `${inspector.problems
              .slice(0, 5)
              .join(
                '; ',
              )}: a restore would refuse this archive, so the backup fails`,
          );
        }
      });
      completion.catch(() => undefined);
      yield {
        name: `${volume}.tar`,
        description: `tar of Docker volume ${volume} (${source.via})`,
        stream: checked as unknown as Readable,
        completion,
      };
    },
    details: async () => ({ volume, ...inspector.counts }),
    close: () => source.close(),
  };
}
