import { resolveSecret } from '../../config/secretRef';
import type { CommandRunner, SecretFile } from '../../exec/CommandRunner';
import { runToCompletion } from '../../exec/runToCompletion';
import type { ClickhouseSettings } from './clickhouseSettings';

function xmlText(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * clickhouse-client in the ClickHouse container, one statement per call. User and password,
 * when set, go in a client config file (0600, copied in with the archive API), never argv.
 */
export class ClickhouseClient {
  private constructor(
    private readonly runner: CommandRunner,
    private readonly config: SecretFile | undefined,
    private readonly secrets: string[],
  ) {}

  static async open(
    runner: CommandRunner,
    settings: ClickhouseSettings,
    stagingDir: string,
  ): Promise<ClickhouseClient> {
    if (!settings.user && !settings.password)
      return new ClickhouseClient(runner, undefined, []);
    const password = settings.password
      ? resolveSecret(settings.password)
      : undefined;
    const lines = [
      '<config>',
      ...(settings.user ? [`  <user>${xmlText(settings.user)}</user>`] : []),
      ...(password !== undefined
        ? [`  <password>${xmlText(password)}</password>`]
        : []),
      '</config>',
    ];
    const config = await runner.writeSecretFile(
      stagingDir,
      'clickhouse-client.xml',
      `${lines.join('\n')}\n`,
    );
    return new ClickhouseClient(runner, config, password ? [password] : []);
  }

  async query(sql: string): Promise<string> {
    const args = [
      ...(this.config ? [`--config-file=${this.config.path}`] : []),
      '--query',
      sql,
    ];
    return (
      await runToCompletion(this.runner, {
        command: 'clickhouse-client',
        args,
        secrets: this.secrets,
      })
    ).trim();
  }

  async close(): Promise<void> {
    await this.config?.remove();
  }
}

export async function withClickhouse<T>(
  runner: CommandRunner,
  settings: ClickhouseSettings,
  stagingDir: string,
  use: (client: ClickhouseClient) => Promise<T>,
): Promise<T> {
  const client = await ClickhouseClient.open(runner, settings, stagingDir);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}
