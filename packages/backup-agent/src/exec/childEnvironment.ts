/**
 * Variables a tool may inherit from the agent. Everything else stays out: the agent's own
 * environment holds its secrets (API token, S3 keys), which a dump tool has no business seeing.
 */
const INHERITED =
  /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|TEMP|TMP)$/;

export function childEnvironment(
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (INHERITED.test(key) && value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}
