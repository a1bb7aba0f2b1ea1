/**
 * The databases a backup covers: the configured ones, or every one the server has. A configured
 * name the server does not have fails with the server's list, so a typo is easy to fix.
 */
export function chooseDatabases(options: {
  existing: string[];
  configured: string[] | undefined;
  server: string;
  targetName: string;
}): string[] {
  const { existing, configured, server, targetName } = options;
  const wanted = configured ?? existing;
  const missing = wanted.filter(db => !existing.includes(db));
  if (missing.length > 0) {
    throw new Error(
      `database${missing.length > 1 ? 's' : ''} ${missing
        .map(d => `"${d}"`)
        .join(', ')} not found on ${server} ` +
        `(it has ${
          existing.join(', ') || 'none'
        }); fix targets.${targetName}.databases in the agent config`,
    );
  }
  return wanted;
}
