import type { CommandRunner } from '../../exec/CommandRunner';
import type { EngineContext, Preflight } from '../EngineDriver';
import { toolProblem } from '../toolPresent';
import { databasesToDump } from './backupPostgres';
import { withPostgres } from './postgresConnection';
import type { PostgresSettings } from './postgresSettings';

/** Tables (and sequences) the agent's role cannot read in one database, a few by name. */
async function unreadable(
  settings: PostgresSettings,
  database: string,
): Promise<string[]> {
  return withPostgres(settings, database, async client => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'S', 'm')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
          AND NOT pg_catalog.has_table_privilege(c.oid, 'SELECT')
        ORDER BY 1 LIMIT 4`,
    );
    return rows.map(r => r.name);
  });
}

/**
 * Before a group stops anything: the login works, every database to dump exists and can be
 * connected to, the role can read every table in it, and pg_dump (with pg_dumpall for
 * globals) runs where the tools run.
 */
export async function preflightPostgres(
  runner: CommandRunner,
  settings: PostgresSettings,
  context: EngineContext,
): Promise<Preflight> {
  const problems: string[] = [];
  const install = settings.container
    ? `install the PostgreSQL client tools in container ${settings.container.name}, or leave out targets.${context.targetName}.container to run them on the agent's host`
    : "install the PostgreSQL client tools on the agent's host (Debian: postgresql-client)";
  for (const tool of settings.globals
    ? ['pg_dump', 'pg_dumpall']
    : ['pg_dump']) {
    const problem = await toolProblem(runner, tool, install);
    if (problem) problems.push(problem);
  }
  const plan = await databasesToDump(settings, context.targetName);
  if (!plan.superuser) {
    for (const database of plan.databases) {
      try {
        const names = await unreadable(settings, database);
        if (names.length > 0)
          problems.push(
            `${settings.user} cannot read ${names.join(', ')}${
              names.length > 3 ? ' and more' : ''
            } in database "${database}"; GRANT pg_read_all_data TO ${
              settings.user
            } (PostgreSQL 14+) or grant SELECT on them`,
          );
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  return { problems };
}
