import type {
  CommandRunner,
  CommandSpec,
  RunningCommand,
  SecretFile,
  ToolOutputFile,
} from './CommandRunner';

/** What a runner was asked to run, as recorded (stdin left out). */
export interface RecordedCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * Passes everything to another runner and records each invocation, so tests (and audits) can
 * see exactly which argv and environment a tool got.
 */
export class RecordingRunner implements CommandRunner {
  readonly commands: RecordedCommand[] = [];

  constructor(private readonly inner: CommandRunner) {}

  get where(): string {
    return this.inner.where;
  }

  run(spec: CommandSpec): RunningCommand {
    this.commands.push({
      command: spec.command,
      args: [...spec.args],
      env: { ...spec.env },
    });
    return this.inner.run(spec);
  }

  writeSecretFile(
    stagingDir: string,
    label: string,
    content: string,
  ): Promise<SecretFile> {
    return this.inner.writeSecretFile(stagingDir, label, content);
  }

  toolOutputFile(stagingDir: string, label: string): Promise<ToolOutputFile> {
    return this.inner.toolOutputFile(stagingDir, label);
  }
}
