import {
  createCipheriv,
  createDecipheriv,
  hkdfSync,
  randomBytes,
} from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Compression } from '@safekeep/plugin-backups-common';
import type { EncryptionKey } from '../pipeline/encryption/EncryptionKey';
import { ZstdChunkCompressor } from './ChunkCompressor';
import { ZstdFrameDecompressor } from './ZstdFrameDecompressor';
import { ChunkIds } from './chunkIds';

/** How a chunk's bytes are stored, one byte in pack headers and indexes. */
export enum ChunkEncoding {
  None = 0,
  Zstd = 1,
  Gzip = 2,
}

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

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
 * What is stored is a frame: in SKPACK1 packs one chunk (its digest is the chunk's id), in
 * SKPACK2 packs several consecutive chunks (framePack.ts); a frame's digest is the id function
 * of its raw bytes, and the additional data of its encryption.
 *
 * Compression and decompression run on libuv's thread pool (zlib's async API), so they
 * overlap the chunker and the reader; zstd compression through reused contexts
 * (ChunkCompressor.ts). A frame that does not shrink is stored as it is (encoding none).
 * `close()` frees the contexts once the last frame is encoded.
 */
export class ChunkCodec {
  readonly pool: string;
  private readonly cipherKey?: Buffer;
  private readonly ids: ChunkIds;
  private zstd?: ZstdChunkCompressor;
  private unzstd?: ZstdFrameDecompressor;

  constructor(private readonly compression: Compression, key?: EncryptionKey) {
    this.pool = poolName(key);
    this.ids = new ChunkIds(
      key ? derive(key.bytes, 'safekeep chunk id v1') : undefined,
    );
    if (key) this.cipherKey = derive(key.bytes, 'safekeep chunk cipher v1');
  }

  get encrypted(): boolean {
    return !!this.cipherKey;
  }

  id(chunk: Uint8Array): Buffer {
    return Buffer.from(this.ids.key(chunk), 'latin1');
  }

  /** The id as a 32-character latin1 string: the key of the known-chunk map, cheapest to make. */
  key(chunk: Uint8Array): string {
    return this.ids.key(chunk);
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
    this.unzstd?.close();
    this.unzstd = undefined;
  }

  /**
   * A frame's raw bytes back from its stored bytes (decrypted, decompressed off the main
   * thread); throws unless they match `digest`. `what` names it in errors: `chunk <id>` for an
   * SKPACK1 chunk, `frame <n> of pack <id>` for an SKPACK2 frame.
   */
  async decode(
    digest: Buffer,
    stored: Buffer,
    encoding: ChunkEncoding,
    label: string,
    what = `chunk ${digest.toString('hex')}`,
  ): Promise<Buffer> {
    const body = this.open(digest, stored, label, what);
    let raw: Buffer;
    try {
      raw = await this.decompress(body, encoding);
    } catch (error) {
      throw new Error(
        `${label}: ${what} cannot be decompressed (${
          (error as Error).message
        }); it is damaged`,
      );
    }
    if (this.ids.key(raw) !== digest.toString('latin1')) {
      throw new Error(
        `${label}: ${what} does not hold the content its ${
          what.startsWith('chunk') ? 'id' : 'digest'
        } names; it is damaged or foreign`,
      );
    }
    return raw;
  }

  private async decompress(
    body: Buffer,
    encoding: ChunkEncoding,
  ): Promise<Buffer> {
    switch (encoding) {
      case ChunkEncoding.None:
        return body;
      case ChunkEncoding.Zstd:
        // Kept contexts for the artifact's many frames, freed by close().
        return (this.unzstd ??= new ZstdFrameDecompressor()).decompress(body);
      case ChunkEncoding.Gzip:
        return gunzip(body);
      default:
        throw new Error(`unknown chunk encoding ${encoding}`);
    }
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

  private open(
    id: Buffer,
    stored: Buffer,
    label: string,
    what: string,
  ): Buffer {
    if (!this.cipherKey) return stored;
    if (stored.length < NONCE_BYTES + TAG_BYTES) {
      throw new Error(`${label}: ${what} is cut short; it is damaged`);
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
        `${label}: ${what} fails authentication (changed bytes, or another key's chunk)`,
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
