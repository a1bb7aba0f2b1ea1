import fs from 'node:fs';
import path from 'node:path';

/** The real path of `file`, or of its nearest existing parent plus the rest (it may not exist yet). */
function realish(file: string): string {
  const resolved = path.resolve(file);
  try {
    return fs.realpathSync(resolved);
  } catch {
    const parent = path.dirname(resolved);
    return parent === resolved
      ? resolved
      : path.join(realish(parent), path.basename(resolved));
  }
}

const within = (inner: string, outer: string) =>
  inner.startsWith(outer.endsWith(path.sep) ? outer : `${outer}${path.sep}`);

/**
 * How `candidate` relates to `own` once symlinks are followed: the same path, inside it, or
 * holding it; undefined when they are apart. Used to refuse removing a target's own data.
 */
export function pathOverlap(
  candidate: string,
  own: string,
): 'is' | 'lies in' | 'holds' | undefined {
  const a = realish(candidate);
  const b = realish(own);
  if (a === b) return 'is';
  if (within(a, b)) return 'lies in';
  if (within(b, a)) return 'holds';
  return undefined;
}
