import type mysql from 'mysql2/promise';
import { mysqlLibrary } from '../../libraries';
import { resolveSecret } from '../../config/secretRef';
import { scrubSecrets } from '../../exec/scrubSecrets';
import type { MariadbSettings } from './mariadbSettings';

export function mariadbPassword(settings: MariadbSettings): string | undefined {
  return settings.password ? resolveSecret(settings.password) : undefined;
}

export function describeServer(settings: MariadbSettings): string {
  return `MariaDB/MySQL at ${settings.host}:${settings.port}`;
}

export type MariadbConnection = mysql.Connection;

/** Connects; errors say where and as whom, never with the password. */
export async function connectMariadb(
  settings: MariadbSettings,
  database?: string,
): Promise<MariadbConnection> {
  const password = mariadbPassword(settings);
  try {
    return await mysqlLibrary().createConnection({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password,
      database,
      connectTimeout: 15_000,
      // Counts come back as numbers, not strings.
      supportBigNumbers: true,
      bigNumberStrings: false,
    });
  } catch (error) {
    const reason = scrubSecrets(
      (error as Error).message,
      password ? [password] : [],
    );
    throw new Error(
      `cannot connect to ${describeServer(settings)} as ${settings.user}${
        database ? ` (database "${database}")` : ''
      }: ${reason}`,
    );
  }
}

export async function withMariadb<T>(
  settings: MariadbSettings,
  use: (connection: MariadbConnection) => Promise<T>,
): Promise<T> {
  const connection = await connectMariadb(settings);
  try {
    return await use(connection);
  } finally {
    await connection.end().catch(() => undefined);
  }
}

export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}
