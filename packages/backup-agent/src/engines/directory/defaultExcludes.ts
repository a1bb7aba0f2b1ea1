/**
 * Left out of directory backups unless `defaultExcludes: false`: version control metadata,
 * virtualenvs, dependency folders and caches. They can be fetched or rebuilt, and `.git`
 * may hold history nobody meant to copy elsewhere.
 */
export const DEFAULT_DIRECTORY_EXCLUDES = [
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  '.pytest_cache',
  '.tox',
  '.mypy_cache',
  '.cache',
] as const;
