export const GLOBALS_ARTIFACT = 'globals.sql';
export const DUMP_EXTENSION = 'dump';
export const EXTRA_SQL_EXTENSION = 'copy';

export function extraSqlArtifactName(name: string): string {
  return `${name}.${EXTRA_SQL_EXTENSION}`;
}
