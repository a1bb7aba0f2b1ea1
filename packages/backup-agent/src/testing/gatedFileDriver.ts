import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { EngineDriver } from '../engines/EngineDriver';

const settingsSchema = z.object({
  /** The file backed up, and restored over. */
  file: z.string(),
  /**
   * With a gate of this name (holdAt), the backup pauses: in the dump after `pauseAfter`
   * bytes, or (`pauseIn: details`) once every artifact is stored, before the manifest.
   */
  gate: z.string().optional(),
  pauseIn: z.enum(['dump', 'details']).default('dump'),
  pauseAfter: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
});
type GatedSettings = z.infer<typeof settingsSchema>;

interface Gate {
  markReached: () => void;
  released: Promise<void>;
}
const gates = new Map<string, Gate>();

/**
 * Makes dumps of targets with `gate: name` pause after `pauseAfter` bytes until `release()`;
 * `reached` settles when a dump got there. For tests that act while a backup runs.
 */
export function holdAt(name: string): {
  reached: Promise<void>;
  release: () => void;
} {
  let markReached!: () => void;
  let release!: () => void;
  const reached = new Promise<void>(resolve => {
    markReached = resolve;
  });
  const released = new Promise<void>(resolve => {
    release = resolve;
  });
  gates.set(name, { markReached, released });
  return { reached, release };
}

async function* slowRead(settings: GatedSettings): AsyncGenerator<Buffer> {
  const gate =
    settings.gate && settings.pauseIn === 'dump'
      ? gates.get(settings.gate)
      : undefined;
  let sent = 0;
  let paused = false;
  for await (const chunk of fs.createReadStream(settings.file)) {
    yield chunk as Buffer;
    sent += (chunk as Buffer).length;
    if (gate && !paused && sent >= settings.pauseAfter) {
      paused = true;
      gate.markReached();
      await gate.released;
    }
  }
}

/** A test engine: one file as the dump, written back on restore. */
export const gatedFileDriver: EngineDriver<GatedSettings> = {
  engine: 'gated-file',
  settingsSchema: () => settingsSchema,
  describe: settings => `the file ${settings.file}`,
  withDestination: (settings, destination) => ({
    ...settings,
    file: destination,
  }),
  serverVersion: async () => '1.0',
  async backup(settings) {
    return {
      async *artifacts() {
        yield {
          name: 'file.bin',
          description: `the file ${settings.file}`,
          stream: Readable.from(slowRead(settings)),
        };
      },
      async details() {
        const gate = settings.gate ? gates.get(settings.gate) : undefined;
        if (gate && settings.pauseIn === 'details') {
          gate.markReached();
          await gate.released;
        }
        return {};
      },
      close: async () => undefined,
    };
  },
  inspectDestination: async settings => ({
    empty: !fs.existsSync(settings.file),
    summary: `${settings.file} exists`,
  }),
  async restore(settings, artifacts) {
    const temp = `${settings.file}.restoring`;
    await pipeline(await artifacts[0].open(), fs.createWriteStream(temp));
    fs.renameSync(temp, settings.file);
  },
  check: async () => ({}),
  manualRestoreSteps: () => '',
};
