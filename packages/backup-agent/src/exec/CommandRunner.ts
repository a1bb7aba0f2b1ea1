import type { Readable } from 'node:stream';

/** One tool invocation. Secrets go in `env` or in a secret file, never in `args`. */
export interface CommandSpec {
  command: string;
  /** Passed as an argv array (no shell). Must not hold secrets: argv is visible to every user. */
  args: string[];
  /** Extra environment variables, e.g. PGPASSFILE or REDISCLI_AUTH. */
  env?: Record<string, string>;
  /** Bytes for the tool's stdin; without it stdin is closed. */
  stdin?: Readable;
  /** Values to scrub from error messages (passwords), in case a tool echoes them. */
  secrets?: string[];
}

/** A started tool. */
export interface RunningCommand {
  /** The tool's stdout only; stderr is captured separately for error messages. */
  stdout: Readable;
  /**
   * Resolves when the tool exits with code 0. Rejects with a `CommandFailedError` when it exits
   * non-zero, is killed, cannot start, or its stdin source fails.
   */
  completion: Promise<void>;
  /** The end of what the tool wrote to stderr so far (secrets scrubbed), for warnings. */
  stderr(): string;
  /** Stops the tool (SIGTERM, or SIGKILL when `hard`). No effect once it exited. */
  kill(hard?: boolean): void;
}

/** A file holding a secret, readable only by the agent's user, at a path the tools can open. */
export interface SecretFile {
  path: string;
  remove(): Promise<void>;
}

/** A file a tool writes (where the tool can reach it) that the agent reads afterwards. */
export interface ToolOutputFile {
  /** The path as the tools see it. */
  path: string;
  /** Brings the file to `localPath` on the agent's host (a new file) and removes the original. */
  moveTo(localPath: string): Promise<void>;
  /** Removes the file if it is still there. */
  remove(): Promise<void>;
}

/**
 * Where and how tools run: a local process (LocalProcessRunner) or `docker exec` into an
 * engine's container (DockerExecRunner). Everything a driver needs goes through this interface so that a second runner only
 * has to implement it: argv, env, stdin, stdout, exit status, and secret files.
 */
export interface CommandRunner {
  /** For messages: "on this host", "in container db-1". */
  readonly where: string;
  run(spec: CommandSpec): RunningCommand;
  /**
   * Writes `content` to a new file with mode 0600 under `stagingDir` (a docker runner would
   * copy it into the container) and returns the path as the tools see it.
   */
  writeSecretFile(
    stagingDir: string,
    label: string,
    content: string,
  ): Promise<SecretFile>;
  /** A path for a tool's output file (`redis-cli --rdb FILE`): under `stagingDir`, or in the container. */
  toolOutputFile(stagingDir: string, label: string): Promise<ToolOutputFile>;
}
