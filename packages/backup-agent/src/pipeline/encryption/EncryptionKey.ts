import { KEY_BYTES } from './chunkedGcmFormat';

/** A 256-bit master key and the id recorded in manifests. The bytes never leave the agent. */
export interface EncryptionKey {
  keyId: string;
  bytes: Buffer;
}

const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]{43}=$/;

export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

/**
 * A key as written in its secret (variable or file): 64 hex characters or 44 base64
 * characters, 32 bytes either way. Errors say where the key came from, never what it is.
 */
export function parseEncryptionKey(
  text: string,
  keyId: string,
  where: string,
): EncryptionKey {
  const value = text.trim();
  if (HEX.test(value)) return { keyId, bytes: Buffer.from(value, 'hex') };
  if (BASE64.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length === KEY_BYTES) return { keyId, bytes };
  }
  throw new EncryptionKeyError(
    `${where}: key "${keyId}" must be 256 bits written as 64 hex characters (or 44 base64 characters); ` +
      'generate one with: openssl rand -hex 32',
  );
}
