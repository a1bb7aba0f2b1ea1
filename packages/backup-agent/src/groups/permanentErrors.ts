/**
 * Errors that waiting cannot cure: a refused login, a missing role or database, a missing
 * tool or container. A server that is still starting answers with connection refused, "the
 * database system is starting up", LOADING...: those are worth a retry, these are not.
 */
const PERMANENT = [
  /password authentication failed/i,
  /is not permitted to log in/i,
  /no pg_hba\.conf entry/i,
  /role "[^"]*" does not exist/i,
  /database "[^"]*" does not exist/i,
  /permission denied/i,
  /\bWRONGPASS\b/,
  /\bNOAUTH\b/,
  /\bNOPERM\b/,
  /Access denied for user/i,
  /executable file not found|command not found|not installed/i,
  /does not exist on the Docker Engine/i,
];

export function isPermanentError(error: Error): boolean {
  return PERMANENT.some(pattern => pattern.test(error.message));
}
