import type { CommandRunner, CommandSpec } from './CommandRunner';

/** Runs a tool whose output is small and returns its stdout as text once it succeeded. */
export async function runToCompletion(
  runner: CommandRunner,
  spec: CommandSpec,
): Promise<string> {
  const running = runner.run(spec);
  const chunks: Buffer[] = [];
  running.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const drained = new Promise<void>(resolve => {
    running.stdout.on('end', resolve);
    running.stdout.on('close', resolve);
  });
  await running.completion;
  await drained;
  return Buffer.concat(chunks).toString('utf8');
}
