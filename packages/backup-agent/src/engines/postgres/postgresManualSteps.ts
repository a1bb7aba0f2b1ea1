import type { ManualArtifact } from '../EngineDriver';
import { databaseFromArtifactName } from '../databaseArtifactName';
import {
  DUMP_EXTENSION,
  EXTRA_SQL_EXTENSION,
  GLOBALS_ARTIFACT,
} from './postgresArtifacts';
import type { PostgresSettings } from './postgresSettings';
import { shellQuote } from '../shellQuote';

/** The README's restore steps: plain psql and pg_restore, in the order the agent uses. */
export function postgresManualSteps(
  settings: PostgresSettings,
  artifacts: ManualArtifact[],
): string {
  const connection = `-h ${shellQuote(settings.host)} -p ${
    settings.port
  } -U ${shellQuote(settings.user)}`;
  const lines: string[] = [
    `Connection below: \`${connection}\` (set \`PGPASSWORD\` or a \`~/.pgpass\` entry; never put the password in the command line).`,
    '',
  ];
  let step = 1;
  const globals = artifacts.find(a => a.rawName === GLOBALS_ARTIFACT);
  if (globals) {
    lines.push(
      `${step++}. Roles and tablespaces (optional, off by default in the agent: roles usually exist already). On a new server,`,
      `   replay them first; "already exists" errors are expected for roles that exist:`,
      `   \`${globals.catCommand} | psql -X ${connection} -d ${shellQuote(
        settings.maintenanceDatabase,
      )}\``,
    );
  }
  for (const artifact of artifacts) {
    const database = databaseFromArtifactName(artifact.rawName, DUMP_EXTENSION);
    if (database === undefined) continue;
    const db = shellQuote(database);
    lines.push(
      `${step++}. Database \`${database}\` (create it first if it does not exist; one transaction, so a failure changes nothing):`,
      '',
      '```sh',
      `createdb ${connection} -T template0 ${db}   # only if it does not exist`,
      `${artifact.catCommand} | pg_restore ${connection} --clean --if-exists --no-owner --single-transaction -d ${db}`,
      '```',
    );
    for (const extra of settings.extraSql.filter(
      e => e.database === database,
    )) {
      const file = artifacts.find(
        a => a.rawName === `${extra.name}.${EXTRA_SQL_EXTENSION}`,
      );
      if (!file) continue;
      const before = extra.beforeReplay
        ? ` -c ${shellQuote(extra.beforeReplay)}`
        : '';
      lines.push(
        `${step++}. Rows pg_dump does not carry (\`${
          extra.name
        }\`), after the database:`,
        '',
        '```sh',
        `${
          file.catCommand
        } | psql -X ${connection} -v ON_ERROR_STOP=1 --single-transaction -d ${db}${before} -c ${shellQuote(
          extra.replay,
        )}`,
        '```',
      );
    }
  }
  lines.push(
    `${step}. Compare row counts with \`details.databases\` in MANIFEST.json, e.g. \`psql ${connection} -d <db> -c 'SELECT count(*) FROM <table>'\`.`,
  );
  return lines.join('\n');
}
