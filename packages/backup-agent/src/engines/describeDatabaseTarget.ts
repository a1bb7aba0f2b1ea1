/** The one-line description of a database server target, shared by the SQL engines' drivers. */
export function describeDatabaseTarget(
  engine: string,
  settings: {
    host: string;
    port: number;
    databases?: string[];
    restoreInto?: string;
    container?: { name: string };
  },
): string {
  const databases =
    settings.restoreInto !== undefined
      ? [settings.restoreInto]
      : settings.databases;
  const which = databases
    ? `database${databases.length > 1 ? 's' : ''} ${databases.join(', ')}`
    : 'all databases';
  const inContainer = settings.container
    ? ` (tools in container ${settings.container.name})`
    : '';
  return `${engine} ${which} at ${settings.host}:${settings.port}${inContainer}`;
}
