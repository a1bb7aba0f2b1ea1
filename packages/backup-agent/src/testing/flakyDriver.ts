import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { EngineDriver } from '../engines/EngineDriver';

const settingsSchema = z.object({
  /**
   * `stream-error`: the stream errors after `bytes`; `tool-exit`: a real process writes `bytes`
   * then exits 3; `empty-dump`: a dump tool whose output is lost (nothing arrives, exit 0).
   */
  mode: z.enum(['stream-error', 'tool-exit', 'empty-dump']),
  bytes: z.number().int().positive(),
});
type FlakySettings = z.infer<typeof settingsSchema>;

function failingStream(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.destroy(new Error('connection to the database lost mid-dump'));
        return;
      }
      const chunk = randomBytes(Math.min(256 * 1024, bytes - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/**
 * A test engine whose dump fails halfway, either as a stream error or as a dump tool (a real
 * `sh` process) that writes data, closes stdout and exits non-zero.
 */
export const flakyDriver: EngineDriver<FlakySettings> = {
  engine: 'flaky',
  settingsSchema: () => settingsSchema,
  describe: () => 'a dump that fails halfway',
  withDestination: settings => settings,
  serverVersion: async () => '1.0',
  async backup(settings) {
    return {
      async *artifacts() {
        if (settings.mode === 'stream-error') {
          yield {
            name: 'dump.bin',
            description: 'fails',
            stream: failingStream(settings.bytes),
          };
          return;
        }
        if (settings.mode === 'empty-dump') {
          yield {
            name: 'dump.bin',
            description: 'lost on the way',
            stream: Readable.from([]),
            completion: Promise.resolve(),
            neverEmpty: true,
          };
          return;
        }
        const child = spawn('sh', [
          '-c',
          `head -c ${settings.bytes} /dev/urandom; echo 'dump: permission denied for table x' >&2; exit 3`,
        ]);
        let stderr = '';
        child.stderr.on('data', chunk => (stderr += chunk));
        const completion = new Promise<void>((resolve, reject) =>
          child.on('close', code =>
            code === 0
              ? resolve()
              : reject(
                  new Error(
                    `dump tool exited with code ${code}: ${stderr.trim()}`,
                  ),
                ),
          ),
        );
        yield {
          name: 'dump.bin',
          description: 'fails',
          stream: child.stdout,
          completion,
        };
      },
      details: async () => ({}),
      close: async () => undefined,
    };
  },
  inspectDestination: async () => ({ empty: true, summary: 'nothing' }),
  restore: async () => undefined,
  check: async () => ({}),
  manualRestoreSteps: () => '',
};
