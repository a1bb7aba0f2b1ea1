function flattenNumbers(
  value: unknown,
  prefix: string,
  out: Map<string, number>,
): void {
  if (typeof value === 'number') {
    out.set(prefix, value);
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value))
      flattenNumbers(inner, prefix ? `${prefix}.${key}` : key, out);
  }
}

/**
 * Differences between the counts recorded at backup time and those found after a restore,
 * one sentence each, e.g. `tables.users: 3 at backup, 2 after restore`.
 */
export function compareDetails(
  recorded: Record<string, unknown>,
  observed: Record<string, unknown>,
): string[] {
  const before = new Map<string, number>();
  const after = new Map<string, number>();
  flattenNumbers(recorded, '', before);
  flattenNumbers(observed, '', after);
  const differences: string[] = [];
  for (const [key, count] of before) {
    const found = after.get(key);
    if (found === undefined)
      differences.push(`${key}: ${count} at backup, missing after restore`);
    else if (found !== count)
      differences.push(`${key}: ${count} at backup, ${found} after restore`);
  }
  for (const [key, count] of after) {
    if (!before.has(key))
      differences.push(`${key}: not in the backup, ${count} after restore`);
  }
  return differences;
}
