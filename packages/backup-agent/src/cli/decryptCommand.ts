import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DecryptStream } from '../pipeline/encryption/DecryptStream';
import { parseEncryptionKey } from '../pipeline/encryption/EncryptionKey';
import { readKeyFile } from './readKeyFile';

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
  const key = parseEncryptionKey(
    readKeyFile(keyFile),
    `from ${keyFile}`,
    `--key-file ${keyFile}`,
  );
  await pipeline(
    input,
    new DecryptStream({ key, label: 'the input', anyKeyId: true }),
    output,
  );
}
