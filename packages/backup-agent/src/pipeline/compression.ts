import type { Transform, Duplex } from 'node:stream';
import zlib from 'node:zlib';
import type { Compression } from '@safekeep/plugin-backups-common';
import { spawnFilter } from './spawnFilter';

// Node 22.15+ has zstd in zlib; older runtimes fall back to the `zstd` command.
const zlibZstd = zlib as unknown as {
  createZstdCompress?: (options?: object) => Transform;
  createZstdDecompress?: (options?: object) => Transform;
};

const SUFFIX: Record<Compression, string> = {
  zstd: '.zst',
  gzip: '.gz',
  none: '',
};

/** zlib.constants.ZSTD_c_compressionLevel (100, zstd's own ZSTD_c_compressionLevel). */
const ZSTD_C_COMPRESSION_LEVEL =
  (zlib.constants as unknown as Record<string, number>)
    .ZSTD_c_compressionLevel ?? 100;

export function compressionSuffix(compression: Compression): string {
  return SUFFIX[compression];
}

/** True when this Node has zstd built in; otherwise the `zstd` command is used. */
export const ZLIB_HAS_ZSTD = typeof zlibZstd.createZstdCompress === 'function';

export interface CompressionOptions {
  /** Use the `zstd` command even when zlib has zstd (the fallback path, for tests). */
  zstdBinary?: boolean;
}

/** Output buffers of 256 KiB: fewer, larger calls into the compressor (see CoalesceChunks). */
const CHUNK_SIZE = 256 * 1024;

/**
 * zstd level 1, not the library's default 3: on database dumps (bench:agent's mixed rows) level 1
 * stores the same size (5.25 MB of 19.9 MB at both levels, -2 and -4 within 0.5 %) for a third
 * of the CPU, and that CPU competes with the dump for the same cores.
 */
export const ZSTD_LEVEL = 1;

/** The stage that compresses, or undefined for `none`. */
export function createCompressor(
  compression: Compression,
  options: CompressionOptions = {},
): Transform | Duplex | undefined {
  switch (compression) {
    case 'zstd':
      return ZLIB_HAS_ZSTD && !options.zstdBinary
        ? zlibZstd.createZstdCompress!({
            chunkSize: CHUNK_SIZE,
            params: { [ZSTD_C_COMPRESSION_LEVEL]: ZSTD_LEVEL },
          })
        : spawnFilter('zstd', ['-q', '-c', `-${ZSTD_LEVEL}`]);
    case 'gzip':
      return zlib.createGzip({ level: 6, chunkSize: CHUNK_SIZE });
    case 'none':
      return undefined;
    default:
      throw new Error(`unknown compression "${compression}"`);
  }
}

export function createDecompressor(
  compression: Compression,
  options: CompressionOptions = {},
): Transform | Duplex | undefined {
  switch (compression) {
    case 'zstd':
      return ZLIB_HAS_ZSTD && !options.zstdBinary
        ? zlibZstd.createZstdDecompress!()
        : spawnFilter('zstd', ['-q', '-d', '-c']);
    case 'gzip':
      return zlib.createGunzip();
    case 'none':
      return undefined;
    default:
      throw new Error(`unknown compression "${compression}"`);
  }
}

/** The shell command that writes an artifact's raw bytes to stdout, for READMEs. */
export function manualCatCommand(
  compression: Compression,
  storedName: string,
): string {
  switch (compression) {
    case 'zstd':
      return `zstd -dc ${storedName}`;
    case 'gzip':
      return `gzip -dc ${storedName}`;
    default:
      return `cat ${storedName}`;
  }
}

/** The artifact's name without the compression suffix. */
export function rawArtifactName(
  storedName: string,
  compression: Compression,
): string {
  const suffix = SUFFIX[compression];
  return suffix && storedName.endsWith(suffix)
    ? storedName.slice(0, -suffix.length)
    : storedName;
}
