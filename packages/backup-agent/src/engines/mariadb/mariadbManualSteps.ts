import type { ManualArtifact } from '../EngineDriver';
import { databaseFromArtifactName } from '../databaseArtifactName';
import { shellQuote } from '../shellQuote';
import { DUMP_EXTENSION } from './backupMariadb';
import type { MariadbSettings } from './mariadbSettings';

export function mariadbManualSteps(
  settings: MariadbSettings,
  artifacts: ManualArtifact[],
): string {
  const lines = [
    'Put the connection in an option file only you can read, so the password stays out of the command line:',
    '',
    '```sh',
    `umask 077; printf '[client]\\nhost=${settings.host}\\nport=${settings.port}\\nuser=${settings.user}\\npassword="..."\\n' > restore.cnf`,
    '```',
    '',
    'Each dump holds one database without CREATE DATABASE, so it loads into any name (stop the application first):',
    '',
  ];
  let step = 1;
  for (const artifact of artifacts) {
    const database = databaseFromArtifactName(artifact.rawName, DUMP_EXTENSION);
    if (database === undefined) continue;
    const quoted = `\`${database.replace(/`/g, '``')}\``;
    lines.push(
      `${step++}. Database \`${database}\`:`,
      '',
      '```sh',
      `mysql --defaults-extra-file=restore.cnf -e ${shellQuote(
        `CREATE DATABASE IF NOT EXISTS ${quoted}`,
      )}`,
      `${
        artifact.catCommand
      } | mysql --defaults-extra-file=restore.cnf --default-character-set=utf8mb4 --database=${shellQuote(
        database,
      )}`,
      '```',
    );
  }
  lines.push(
    `${step}. Compare row counts with \`details.databases\` in MANIFEST.json (\`SELECT COUNT(*) FROM <table>\`), then \`rm restore.cnf\`.`,
  );
  return lines.join('\n');
}
