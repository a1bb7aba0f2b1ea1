/** Replaces every occurrence of each secret by `***`; short or empty values are left alone. */
export function scrubSecrets(
  text: string,
  secrets: readonly string[] = [],
): string {
  let result = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length < 3) continue;
    result = result.split(secret).join('***');
  }
  return result;
}
