import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DecryptStream } from '../pipeline/encryption/DecryptStream';
import { parseEncryptionKey } from '../pipeline/encryption/EncryptionKey';

/**
 * `safekeep-agent decrypt --key-file FILE < in > out`: one encrypted artifact back to its
 * compressed bytes, with nothing but the key (no config, no storage). Every chunk is
 * authenticated before it is written; a failure rejects (the output so far must be discarded).
 */
export async function decryptWithKeyFile(
  keyFile: string,
  input: Readable,
  output: Writable,
): Promise<void> {
  let text: string;
  try {
    text = fs.readFileSync(keyFile, 'utf8');
  } catch (error) {
    throw new Error(
      `--key-file ${keyFile} cannot be read (${
        (error as NodeJS.ErrnoException).code ?? 'error'
      }); give the file that holds the key`,
    );
  }
  const key = parseEncryptionKey(
    text,
    `from ${keyFile}`,
    `--key-file ${keyFile}`,
  );
  await pipeline(
    input,
    new DecryptStream({ key, label: 'the input', anyKeyId: true }),
    output,
  );
}
