import { CommandFailedError } from '../exec/CommandFailedError';

/** The CommandFailedError a command ends with; fails the test if it succeeds or fails otherwise. */
export async function commandFailureOf(
  completion: Promise<unknown>,
): Promise<CommandFailedError> {
  try {
    await completion;
  } catch (error) {
    expect(error).toBeInstanceOf(CommandFailedError);
    return error as CommandFailedError;
  }
  throw new Error('expected the command to fail');
}
