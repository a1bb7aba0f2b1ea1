/** A tool that did not succeed; the message holds its exit status and the end of its stderr. */
export class CommandFailedError extends Error {
  constructor(
    message: string,
    readonly command: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    /** The last ~2 KB of stderr, secrets scrubbed. */
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}
