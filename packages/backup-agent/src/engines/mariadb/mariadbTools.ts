import type {
  CommandRunner,
  CommandSpec,
  SecretFile,
} from '../../exec/CommandRunner';
import { mariadbPassword } from './mariadbConnection';
import { toolEndpoint } from '../containerSetting';
import type { MariadbSettings } from './mariadbSettings';

/** A value in a MySQL option file: quoted, with the escapes the client's parser undoes. */
export function optionValue(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

function optionFile(
  settings: MariadbSettings,
  password: string | undefined,
): string {
  const lines = [
    '[client]',
    `host=${optionValue(settings.host)}`,
    `port=${settings.port}`,
    `user=${optionValue(settings.user)}`,
  ];
  if (password !== undefined) lines.push(`password=${optionValue(password)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * How mysqldump and mysql run for one target: every connection setting, the password
 * included, in a 0600 option file given as `--defaults-extra-file` (which must come first).
 */
export class MariadbTools {
  private constructor(
    private readonly runner: CommandRunner,
    private readonly file: SecretFile,
    private readonly password: string | undefined,
  ) {}

  static async open(
    runner: CommandRunner,
    settings: MariadbSettings,
    stagingDir: string,
  ): Promise<MariadbTools> {
    const password = mariadbPassword(settings);
    // Tools in a container reach the server at its address inside the container.
    const file = await runner.writeSecretFile(
      stagingDir,
      'my.cnf',
      optionFile(toolEndpoint(settings), password),
    );
    return new MariadbTools(runner, file, password);
  }

  spec(
    command: string,
    args: string[],
    extra: Pick<CommandSpec, 'stdin'> = {},
  ): CommandSpec {
    return {
      command,
      args: [`--defaults-extra-file=${this.file.path}`, ...args],
      stdin: extra.stdin,
      secrets: this.password ? [this.password] : [],
    };
  }

  run(command: string, args: string[], extra: Pick<CommandSpec, 'stdin'> = {}) {
    return this.runner.run(this.spec(command, args, extra));
  }

  close(): Promise<void> {
    return this.file.remove();
  }
}
