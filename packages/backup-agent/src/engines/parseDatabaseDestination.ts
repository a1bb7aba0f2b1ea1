/** Where `restore --to` points: a database, optionally on another host and port. */
export interface DatabaseDestination {
  host?: string;
  port?: number;
  database: string;
}

const FORM =
  /^(?:(?<host>\[[^\]]+\]|[^:/]+)(?::(?<port>\d+))?\/)?(?<database>.+)$/;

/** Reads `db`, `host/db` or `host:port/db` (an IPv6 host in brackets). */
export function parseDatabaseDestination(
  destination: string,
  engine: string,
): DatabaseDestination {
  const match = FORM.exec(destination.trim());
  const groups = match?.groups;
  const port = groups?.port ? Number(groups.port) : undefined;
  if (!groups || (port !== undefined && (port < 1 || port > 65535))) {
    throw new Error(
      `"${destination}" is not a ${engine} destination; write a database name, or host:port/database`,
    );
  }
  return {
    host: groups.host?.replace(/^\[|\]$/g, ''),
    port,
    database: groups.database,
  };
}

/**
 * A SQL target's settings pointed at `restore --to`: `restoreInto` the database, on the host and
 * port it names. Another server is reached from the agent's host, not through the target's
 * container.
 */
export function withDatabaseDestination<
  Settings extends {
    host: string;
    port: number;
    container?: unknown;
    restoreInto?: string;
  },
>(settings: Settings, destination: string, engine: string): Settings {
  const parsed = parseDatabaseDestination(destination, engine);
  return {
    ...settings,
    host: parsed.host ?? settings.host,
    port: parsed.port ?? settings.port,
    container: parsed.host || parsed.port ? undefined : settings.container,
    restoreInto: parsed.database,
  };
}
