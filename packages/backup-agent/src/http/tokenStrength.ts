/**
 * The least a bearer token must be: 32 characters (128 bits as hex, what
 * `openssl rand -hex 16` gives; the docs suggest `openssl rand -hex 32`) of at least 8 different
 * characters, so a one-character or `aaaa...` token cannot guard an agent that may restore
 * anything as root.
 */
export const MIN_TOKEN_LENGTH = 32;
export const MIN_TOKEN_DISTINCT_CHARACTERS = 8;

/** Why the token is too weak (never quoting it), or undefined when it will do. */
export function tokenWeakness(token: string): string | undefined {
  const distinct = new Set(token).size;
  if (
    token.length >= MIN_TOKEN_LENGTH &&
    distinct >= MIN_TOKEN_DISTINCT_CHARACTERS
  )
    return undefined;
  return `is too weak for a bearer token: it needs at least ${MIN_TOKEN_LENGTH} characters and at least ${MIN_TOKEN_DISTINCT_CHARACTERS} different ones; generate one with \`openssl rand -hex 32\` and give the same value to the backend (backups.agents.<name>.token)`;
}
