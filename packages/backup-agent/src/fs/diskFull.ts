/** Node's codes for a full disk or quota, and SQLite's. */
const DISK_FULL_CODES = ['ENOSPC', 'EDQUOT', 'SQLITE_FULL'];

export function isDiskFull(error: unknown): boolean {
  return DISK_FULL_CODES.includes(
    String((error as NodeJS.ErrnoException | undefined)?.code ?? ''),
  );
}

/**
 * A full disk said so, with where and what to do: Node says only `ENOSPC: no space left on
 * device, write` and SQLite `database or disk is full`, neither naming the folder. Any other
 * error is returned as it is.
 */
export function explainDiskFull(
  error: unknown,
  where: string,
  fix: string,
): unknown {
  if (!isDiskFull(error)) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new Error(
    `${where} is full (${code}: no space left on device); ${fix}`,
    {
      cause: error,
    },
  );
}
