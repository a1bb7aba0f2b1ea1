import { hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * `aes-256-gcm-chunked`, version 1: the stored form of an encrypted artifact.
 *
 *   header  = magic "SKGCM1\r\n" | chunk_bytes u32 BE | salt (32) | nonce prefix (7)
 *             | key check (16) | key id length u8 | key id (utf-8)
 *   chunk i = AES-256-GCM(plaintext chunk i) | tag (16)
 *
 * Every chunk but the last holds exactly chunk_bytes of plaintext; the last holds 0..chunk_bytes.
 * The artifact key is HKDF-SHA256(master key, salt), so no two artifacts share a key. The nonce
 * of chunk i is the nonce prefix, i as u32 BE, and a final flag byte (1 on the last chunk
 * only): reordered, dropped or appended chunks and a cut at a chunk boundary all fail
 * authentication. The whole header is the additional authenticated data of every chunk.
 * The key check lets a reader tell "wrong key" from "changed data" before decrypting.
 */
export const ALGORITHM = 'aes-256-gcm-chunked';
export const MAGIC = Buffer.from('SKGCM1\r\n', 'latin1');
export const KEY_BYTES = 32;
export const TAG_BYTES = 16;
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
/** A reader refuses larger chunks: a damaged header must not make it buffer gigabytes. */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
/** A u32 counter: at 1 MiB per chunk, 4 PiB per artifact. */
export const MAX_CHUNKS = 2 ** 32;

const SALT_BYTES = 32;
const NONCE_PREFIX_BYTES = 7;
const KEY_CHECK_BYTES = 16;
/** The header up to and including the key id length byte. */
export const FIXED_HEADER_BYTES =
  MAGIC.length + 4 + SALT_BYTES + NONCE_PREFIX_BYTES + KEY_CHECK_BYTES + 1;

export interface ChunkedGcmHeader {
  chunkBytes: number;
  salt: Buffer;
  noncePrefix: Buffer;
  keyCheck: Buffer;
  keyId: string;
  /** The header exactly as stored: the additional authenticated data of every chunk. */
  bytes: Buffer;
}

/** A short, non-secret fingerprint of a master key, stored in every header. */
export function keyCheckOf(masterKey: Buffer): Buffer {
  return Buffer.from(
    hkdfSync(
      'sha256',
      masterKey,
      Buffer.alloc(0),
      'safekeep key check v1',
      KEY_CHECK_BYTES,
    ),
  );
}

export function keyChecksMatch(
  header: ChunkedGcmHeader,
  masterKey: Buffer,
): boolean {
  return timingSafeEqual(header.keyCheck, keyCheckOf(masterKey));
}

export function artifactKey(masterKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', masterKey, salt, `safekeep ${ALGORITHM} v1`, KEY_BYTES),
  );
}

export function chunkNonce(
  header: ChunkedGcmHeader,
  index: number,
  final: boolean,
): Buffer {
  const nonce = Buffer.alloc(12);
  header.noncePrefix.copy(nonce, 0);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

/** A fresh header with random salt and nonce prefix. */
export function newHeader(
  masterKey: Buffer,
  keyId: string,
  chunkBytes: number,
): ChunkedGcmHeader {
  const id = Buffer.from(keyId, 'utf8');
  if (id.length > 255)
    throw new Error(`key id "${keyId}" is longer than 255 bytes`);
  const salt = randomBytes(SALT_BYTES);
  const noncePrefix = randomBytes(NONCE_PREFIX_BYTES);
  const keyCheck = keyCheckOf(masterKey);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(chunkBytes);
  const bytes = Buffer.concat([
    MAGIC,
    size,
    salt,
    noncePrefix,
    keyCheck,
    Buffer.from([id.length]),
    id,
  ]);
  return { chunkBytes, salt, noncePrefix, keyCheck, keyId, bytes };
}

/**
 * Parses a header from the start of `data`. Returns undefined while more bytes are needed;
 * throws when the bytes are not a Safekeep encrypted artifact.
 */
export function parseHeader(
  data: Buffer,
  label: string,
): { header: ChunkedGcmHeader; length: number } | undefined {
  if (data.length < MAGIC.length) {
    return undefined;
  }
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(
      `${label} is not a Safekeep encrypted artifact (${ALGORITHM}): its first bytes are not the expected header`,
    );
  }
  if (data.length < FIXED_HEADER_BYTES) return undefined;
  let offset = MAGIC.length;
  const chunkBytes = data.readUInt32BE(offset);
  offset += 4;
  if (chunkBytes === 0 || chunkBytes > MAX_CHUNK_BYTES) {
    throw new Error(
      `${label}: the header announces chunks of ${chunkBytes} bytes (at most ${MAX_CHUNK_BYTES}); the header is damaged`,
    );
  }
  const salt = data.subarray(offset, (offset += SALT_BYTES));
  const noncePrefix = data.subarray(offset, (offset += NONCE_PREFIX_BYTES));
  const keyCheck = data.subarray(offset, (offset += KEY_CHECK_BYTES));
  const idLength = data[offset++];
  if (data.length < offset + idLength) return undefined;
  const keyId = data.subarray(offset, offset + idLength).toString('utf8');
  const length = offset + idLength;
  return {
    header: {
      chunkBytes,
      salt: Buffer.from(salt),
      noncePrefix: Buffer.from(noncePrefix),
      keyCheck: Buffer.from(keyCheck),
      keyId,
      bytes: Buffer.from(data.subarray(0, length)),
    },
    length,
  };
}
