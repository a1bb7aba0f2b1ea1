function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else {
      source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/**
 * Exclude patterns, gitignore-like: a pattern without "/" matches a file or folder of that
 * name at any depth (`node_modules`, `*.log`); a pattern with "/" matches a path relative to
 * the backed-up folder (`uploads/tmp`, `logs/**`). `*`, `**` and `?` are wildcards.
 * An excluded folder is left out with everything inside it.
 */
export function createExcludeMatcher(
  patterns: readonly string[],
): (relativePath: string) => boolean {
  const byName: RegExp[] = [];
  const byPath: RegExp[] = [];
  for (const raw of patterns) {
    const pattern = raw.replace(/^\.\//, '').replace(/\/+$/, '');
    if (!pattern) continue;
    if (pattern.includes('/'))
      byPath.push(globToRegExp(pattern.replace(/^\//, '')));
    else byName.push(globToRegExp(pattern));
  }
  return relativePath => {
    const rel = relativePath.replace(/^\.\//, '').replace(/\/+$/, '');
    if (!rel || rel === '.') return false;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return byName.some(re => re.test(name)) || byPath.some(re => re.test(rel));
  };
}
