import type { Client } from 'pg';
import { pgLibrary } from '../../libraries';
import { resolveSecret } from '../../config/secretRef';
import { scrubSecrets } from '../../exec/scrubSecrets';
import type { PostgresSettings } from './postgresSettings';

export function postgresPassword(
  settings: PostgresSettings,
): string | undefined {
  return settings.password ? resolveSecret(settings.password) : undefined;
}

export function describeServer(settings: PostgresSettings): string {
  return `PostgreSQL at ${settings.host}:${settings.port}`;
}

/** Connects to one database; errors say where and as whom, never with the password. */
export async function connectPostgres(
  settings: PostgresSettings,
  database: string,
): Promise<Client> {
  const password = postgresPassword(settings);
  const client = new (pgLibrary().Client)({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password,
    database,
    application_name: 'safekeep-agent',
    connectionTimeoutMillis: 15_000,
  });
  // An idle client whose server goes away emits 'error'; the next query reports it instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = scrubSecrets(
      (error as Error).message,
      password ? [password] : [],
    );
    throw new Error(
      `cannot connect to ${describeServer(settings)} as ${
        settings.user
      } (database "${database}"): ${reason}`,
    );
  }
  return client;
}

export async function withPostgres<T>(
  settings: PostgresSettings,
  database: string,
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const client = await connectPostgres(settings, database);
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
