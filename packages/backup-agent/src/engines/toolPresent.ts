import type { CommandRunner } from '../exec/CommandRunner';

/**
 * Runs `command --version` where the target's tools run (on this host or in its container)
 * and returns a problem sentence with `fix` when it cannot; undefined when it is there. A
 * version query changes nothing, so a preflight may run it.
 */
export async function toolProblem(
  runner: CommandRunner,
  command: string,
  fix: string,
): Promise<string | undefined> {
  try {
    const running = runner.run({ command, args: ['--version'] });
    running.stdout.resume();
    await running.completion;
    return undefined;
  } catch (error) {
    return `${command} cannot run ${runner.where} (${(
      error as Error
    ).message.trim()}); ${fix}`;
  }
}
