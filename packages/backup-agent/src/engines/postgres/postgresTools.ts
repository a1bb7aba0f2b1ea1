import type {
  CommandRunner,
  CommandSpec,
  SecretFile,
} from '../../exec/CommandRunner';
import { postgresPassword } from './postgresConnection';
import { toolEndpoint } from '../containerSetting';
import type { PostgresSettings } from './postgresSettings';

/** A libpq connection string naming one database, so a name like `a=b` is not parsed as options. */
export function dbnameArg(database: string): string {
  return `--dbname=dbname='${database
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")}'`;
}

function pgpassLine(password: string): string {
  if (/[\r\n]/.test(password)) {
    throw new Error(
      'the PostgreSQL password contains a line break, which a password file cannot hold; change the password',
    );
  }
  const escaped = password.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `*:*:*:*:${escaped}\n`;
}

/**
 * How the PostgreSQL client tools run for one target: host, port and user in argv, the
 * password in a 0600 PGPASSFILE (never argv), and `--no-password` so a tool fails instead of
 * waiting for a prompt.
 */
export class PostgresTools {
  private constructor(
    private readonly runner: CommandRunner,
    private readonly settings: PostgresSettings,
    private readonly passfile: SecretFile | undefined,
    private readonly password: string | undefined,
  ) {}

  static async open(
    runner: CommandRunner,
    settings: PostgresSettings,
    stagingDir: string,
  ): Promise<PostgresTools> {
    const password = postgresPassword(settings);
    const passfile = password
      ? await runner.writeSecretFile(stagingDir, 'pgpass', pgpassLine(password))
      : undefined;
    // Tools in a container reach the server at its address inside the container.
    return new PostgresTools(
      runner,
      toolEndpoint(settings),
      passfile,
      password,
    );
  }

  /** A spec for `command` with the connection arguments first, then `args`. */
  spec(
    command: string,
    args: string[],
    extra: Pick<CommandSpec, 'stdin'> = {},
  ): CommandSpec {
    const env: Record<string, string> = {
      PGAPPNAME: 'safekeep-agent',
      PGCONNECT_TIMEOUT: '15',
    };
    if (this.passfile) env.PGPASSFILE = this.passfile.path;
    return {
      command,
      args: [
        `--host=${this.settings.host}`,
        `--port=${this.settings.port}`,
        `--username=${this.settings.user}`,
        '--no-password',
        ...args,
      ],
      env,
      stdin: extra.stdin,
      secrets: this.password ? [this.password] : [],
    };
  }

  run(command: string, args: string[], extra: Pick<CommandSpec, 'stdin'> = {}) {
    return this.runner.run(this.spec(command, args, extra));
  }

  get secrets(): string[] {
    return this.password ? [this.password] : [];
  }

  async close(): Promise<void> {
    await this.passfile?.remove();
  }
}
