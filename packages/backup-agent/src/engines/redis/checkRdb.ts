import type { CommandRunner } from '../../exec/CommandRunner';
import { CommandFailedError } from '../../exec/CommandFailedError';

export interface RdbFacts {
  /** Keys in the file (all databases), as redis-check-rdb read them. */
  keys: number;
  /** Of which have a TTL: they may be gone by the time a restore is checked. */
  expires: number;
}

/** redis-check-rdb's finding: it reports on stdout, after "--- RDB ERROR DETECTED ---". */
function finding(output: string): string {
  const lines = output.split('\n');
  const start = lines.findIndex(line => line.includes('RDB ERROR DETECTED'));
  const relevant =
    start >= 0 ? lines.slice(start + 1, start + 4) : lines.slice(-3);
  return relevant
    .map(line => line.trim())
    .filter(Boolean)
    .join('; ');
}

/**
 * Validates an RDB file with redis-check-rdb. Resolves to its key counts, or to undefined when
 * redis-check-rdb is not installed; rejects when the file is damaged.
 */
export async function checkRdb(
  runner: CommandRunner,
  file: string,
  what: string,
): Promise<RdbFacts | undefined> {
  const running = runner.run({ command: 'redis-check-rdb', args: [file] });
  const chunks: Buffer[] = [];
  running.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise(resolve => running.stdout.on('close', resolve));
  try {
    await running.completion;
  } catch (error) {
    if (
      error instanceof CommandFailedError &&
      error.exitCode === null &&
      error.signal === null
    )
      return undefined;
    await ended;
    throw new Error(
      `${what} is damaged according to redis-check-rdb: ${
        finding(Buffer.concat(chunks).toString()) || (error as Error).message
      }`,
    );
  }
  await ended;
  const output = Buffer.concat(chunks).toString();
  const keys = /(\d+) keys read/.exec(output);
  const expires = /(\d+) expires/.exec(output);
  if (!keys)
    throw new Error(
      `redis-check-rdb accepted ${what} but did not report its key count: ${output
        .trim()
        .slice(-300)}`,
    );
  return { keys: Number(keys[1]), expires: expires ? Number(expires[1]) : 0 };
}
