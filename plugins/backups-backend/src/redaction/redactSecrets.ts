const REDACTED = '[redacted]';

/** Longest error text kept in a run record; agents may send whole tool outputs. */
export const MAX_ERROR_LENGTH = 4000;

const PATTERNS: Array<[RegExp, string]> = [
  // scheme://user:password@host -> scheme://user:[redacted]@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, `$1:${REDACTED}@`],
  // Authorization headers and bearer tokens.
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // password=..., PGPASSWORD=..., token: ..., "secret": "..." and similar key/value pairs.
  [
    /((?:[a-z_]*pass(?:word|wd)?|pwd|[a-z_]*token|[a-z_]*secret|api[_-]?key|access[_-]?key)["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"']+)/gi,
    `$1${REDACTED}`,
  ],
];

/**
 * Removes secrets from text before it is stored or shown: the given known secrets
 * (agent tokens) wherever they appear, URL credentials and password/token key-value pairs.
 */
export function redactSecrets(
  text: string,
  knownSecrets: Iterable<string> = [],
): string {
  let result = text;
  // Longest first, so a secret that contains another is removed whole.
  const secrets = [...knownSecrets]
    .filter(s => s.length >= 4)
    .sort((a, b) => b.length - a.length);
  for (const secret of secrets) {
    result = result.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) {
    result = result.replace(pattern, replacement);
  }
  if (result.length > MAX_ERROR_LENGTH) {
    result = `${result.slice(0, MAX_ERROR_LENGTH)}... (truncated)`;
  }
  return result;
}

/** redactSecrets for a column that may be empty: null stays null. */
export function redactNullable(
  text: string | null | undefined,
  knownSecrets: Iterable<string> = [],
): string | null {
  return text === null || text === undefined
    ? null
    : redactSecrets(text, knownSecrets);
}
