import type { ZodIssue } from 'zod';

/** Dotted path of an issue, e.g. `targets.app-db.path`; `(root)` for the document itself. */
export function issuePath(
  basePath: Array<string | number>,
  issue: ZodIssue,
): string {
  const parts = [...basePath, ...issue.path];
  return parts.length === 0 ? '(root)' : parts.join('.');
}

/**
 * One line per issue: `path: message`. Messages come from our own schemas or zod's defaults,
 * which describe types and allowed values but never echo a rejected secret.
 */
export function formatIssues(
  issues: ZodIssue[],
  basePath: Array<string | number> = [],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        lines.push(
          `${issuePath(basePath, {
            ...issue,
            path: [...issue.path, key],
          })}: unknown field: check its spelling against docs/agent.md or remove it`,
        );
      }
      continue;
    }
    if (issue.code === 'invalid_union') {
      // Report the branch that got furthest, not zod's generic "Invalid input".
      const deepest = issue.unionErrors
        .map(e => e.issues)
        .sort(
          (a, b) =>
            Math.max(...b.map(i => i.path.length)) -
            Math.max(...a.map(i => i.path.length)),
        )[0];
      if (deepest?.length) {
        lines.push(...formatIssues(deepest, basePath));
        continue;
      }
    }
    lines.push(`${issuePath(basePath, issue)}: ${issue.message}`);
  }
  return [...new Set(lines)];
}
