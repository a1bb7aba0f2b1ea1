/**
 * How far a restore may exceed what the manifest records before it is stopped. The raw size
 * and file count are recorded exactly at backup time, so an honest snapshot never comes near
 * these margins; they only leave room for a manifest written by an agent that counted a little
 * differently. A decompression bomb (a small artifact that inflates to far more than its manifest
 * says) is stopped within the margin, before the engine replaces anything (docs/security.md).
 */
export const RAW_BYTES_MARGIN = { bytes: 64 * 1024, percent: 1 };
export const FILE_COUNT_MARGIN = { files: 16, percent: 1 };

/** The most raw bytes an artifact recorded with `rawBytes` may inflate to. */
export function allowedRawBytes(rawBytes: number): number {
  return (
    rawBytes +
    RAW_BYTES_MARGIN.bytes +
    Math.floor((rawBytes * RAW_BYTES_MARGIN.percent) / 100)
  );
}

/** The most regular files an archive whose manifest counts `files` may hold. */
export function allowedFiles(files: number): number {
  return (
    files +
    FILE_COUNT_MARGIN.files +
    Math.floor((files * FILE_COUNT_MARGIN.percent) / 100)
  );
}

/** The file count a manifest's details record (directory and volume engines), if any. */
export function recordedFiles(
  details: Record<string, unknown>,
): number | undefined {
  const files = details.files;
  return typeof files === 'number' && Number.isInteger(files) && files >= 0
    ? files
    : undefined;
}

/** Why an archive with this many regular files must not be restored, if it must not. */
export function tooManyFilesReason(
  seen: number,
  recorded: number | undefined,
): string | undefined {
  if (recorded === undefined || seen <= allowedFiles(recorded))
    return undefined;
  return `the archive holds more than ${allowedFiles(
    recorded,
  )} files, but its manifest records ${recorded}; the restore was stopped before replacing anything (a decompression bomb or a forged snapshot)`;
}
