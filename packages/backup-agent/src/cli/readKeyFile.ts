import fs from 'node:fs';

/** The text of `--key-file FILE`, or a sentence saying it cannot be read (never its content). */
export function readKeyFile(keyFile: string): string {
  try {
    return fs.readFileSync(keyFile, 'utf8');
  } catch (error) {
    throw new Error(
      `--key-file ${keyFile} cannot be read (${
        (error as NodeJS.ErrnoException).code ?? 'error'
      }); give the file that holds the key`,
    );
  }
}
