/** Database names that can be used as artifact names as they are. */
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ENCODED = /^db\.((?:[0-9a-f]{2})+)$/;

/**
 * The artifact name of one database's dump: `app.dump` for the usual names; names with other
 * characters (spaces, dots, unicode) become `db.<hex of the UTF-8 name>.dump`, because artifact
 * names are file names and object keys, and a restore must get the exact name back.
 */
export function databaseArtifactName(
  database: string,
  extension: string,
): string {
  const stem = PLAIN.test(database)
    ? database
    : `db.${Buffer.from(database, 'utf8').toString('hex')}`;
  return `${stem}.${extension}`;
}

/** The database an artifact name stands for, or undefined when it is not such a name. */
export function databaseFromArtifactName(
  name: string,
  extension: string,
): string | undefined {
  const suffix = `.${extension}`;
  if (!name.endsWith(suffix)) return undefined;
  const stem = name.slice(0, -suffix.length);
  if (PLAIN.test(stem)) return stem;
  const encoded = ENCODED.exec(stem);
  return encoded ? Buffer.from(encoded[1], 'hex').toString('utf8') : undefined;
}
