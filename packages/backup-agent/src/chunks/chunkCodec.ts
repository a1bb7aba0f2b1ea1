import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Compression } from '@safekeep/plugin-backups-common';
import type { EncryptionKey } from '../pipeline/encryption/EncryptionKey';
import { ZstdChunkCompressor } from './ChunkCompressor';

/** How a chunk's bytes are stored, one byte in pack headers and indexes. */
export enum ChunkEncoding {
  None = 0,
  Zstd = 1,
  Gzip = 2,
}

const zlibZstd = zlib as unknown as {
  zstdDecompressSync: (data: Buffer) => Buffer;
};
const gzip = promisify(zlib.gzip);

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * What turns a chunk into its stored bytes and back, for one chunk pool of a tier.
 *
 * - Pool `plain`: the chunk id is sha256(chunk); stored = compressed chunk.
 * - Pool `key-<key id>` (encrypted targets): the id is HMAC-SHA256(id key, chunk), so ids
 *   reveal nothing about content to whoever reads the storage; stored = nonce (12) |
 *   AES-256-GCM(compressed chunk, additional data = chunk id) | tag (16). Both keys are
 *   HKDF-SHA256 of the master key, so chunks of targets with different keys never mix.
 *
 * Compression runs on libuv's thread pool (zlib's async API), so it overlaps the chunker; zstd
 * through reused contexts (ChunkCompressor.ts). A chunk that does not shrink is stored as it is
 * (encoding none). `close()` frees the contexts once the last chunk is encoded.
 */
export class ChunkCodec {
  readonly pool: string;
  private readonly idKey?: Buffer;
  private readonly cipherKey?: Buffer;
  private zstd?: ZstdChunkCompressor;

  constructor(private readonly compression: Compression, key?: EncryptionKey) {
    this.pool = poolName(key);
    if (key) {
      this.idKey = derive(key.bytes, 'safekeep chunk id v1');
      this.cipherKey = derive(key.bytes, 'safekeep chunk cipher v1');
    }
  }

  get encrypted(): boolean {
    return !!this.cipherKey;
  }

  id(chunk: Uint8Array): Buffer {
    return this.idKey
      ? createHmac('sha256', this.idKey).update(chunk).digest()
      : createHash('sha256').update(chunk).digest();
  }

  async encode(
    id: Buffer,
    chunk: Buffer,
  ): Promise<{ stored: Buffer; encoding: ChunkEncoding }> {
    let encoding = ChunkEncoding.None;
    let body = chunk;
    if (this.compression !== 'none') {
      const packed =
        this.compression === 'zstd'
          ? await (this.zstd ??= new ZstdChunkCompressor()).compress(chunk)
          : await gzip(chunk);
      if (packed.length < chunk.length) {
        body = packed;
        encoding =
          this.compression === 'zstd' ? ChunkEncoding.Zstd : ChunkEncoding.Gzip;
      }
    }
    return { stored: this.seal(id, body), encoding };
  }

  close(): void {
    this.zstd?.close();
    this.zstd = undefined;
  }

  /** The chunk back from its stored bytes; throws unless its id matches `id`. */
  decode(
    id: Buffer,
    stored: Buffer,
    encoding: ChunkEncoding,
    label: string,
  ): Buffer {
    const body = this.open(id, stored, label);
    let chunk: Buffer;
    try {
      chunk = decompress(body, encoding);
    } catch (error) {
      throw new Error(
        `${label}: chunk ${id.toString('hex')} cannot be decompressed (${
          (error as Error).message
        }); it is damaged`,
      );
    }
    if (!this.id(chunk).equals(id)) {
      throw new Error(
        `${label}: chunk ${id.toString(
          'hex',
        )} does not hold the content its id names; it is damaged or foreign`,
      );
    }
    return chunk;
  }

  private seal(id: Buffer, body: Buffer): Buffer {
    if (!this.cipherKey) return body;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.cipherKey, nonce);
    cipher.setAAD(id);
    return Buffer.concat([
      nonce,
      cipher.update(body),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
  }

  private open(id: Buffer, stored: Buffer, label: string): Buffer {
    if (!this.cipherKey) return stored;
    if (stored.length < NONCE_BYTES + TAG_BYTES) {
      throw new Error(
        `${label}: chunk ${id.toString('hex')} is cut short; it is damaged`,
      );
    }
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        this.cipherKey,
        stored.subarray(0, NONCE_BYTES),
      );
      decipher.setAAD(id);
      decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(
          stored.subarray(NONCE_BYTES, stored.length - TAG_BYTES),
        ),
        decipher.final(),
      ]);
    } catch {
      throw new Error(
        `${label}: chunk ${id.toString(
          'hex',
        )} fails authentication (changed bytes, or another key's chunk)`,
      );
    }
  }
}

/** The pool a target's chunks go to: one per encryption key, and one for plain targets. */
export function poolName(key?: EncryptionKey): string {
  return key ? `key-${key.keyId}` : 'plain';
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
}

function decompress(body: Buffer, encoding: ChunkEncoding): Buffer {
  switch (encoding) {
    case ChunkEncoding.None:
      return body;
    case ChunkEncoding.Zstd:
      return zlibZstd.zstdDecompressSync(body);
    case ChunkEncoding.Gzip:
      return zlib.gunzipSync(body);
    default:
      throw new Error(`unknown chunk encoding ${encoding}`);
  }
}
