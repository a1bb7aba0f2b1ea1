import {
  OUTPUT_PIECE_BYTES,
  zlibZstd,
  zstdConstants,
  ZstdLanes,
} from './ZstdLanes';

/**
 * The counterpart of ZstdChunkCompressor: many small zstd frames decompressed through a few
 * kept contexts (a zstd stream reads one frame after another), not a new context per frame
 * (zlib.zstdDecompress). In a profile of restoring the bench's 228 MB dump, a context per
 * frame cost the main thread a quarter of its time in zlib's set-up and callbacks.
 */
export class ZstdFrameDecompressor {
  private readonly lanes = new ZstdLanes(
    () => zlibZstd.createZstdDecompress({ chunkSize: OUTPUT_PIECE_BYTES }),
    zstdConstants.ZSTD_e_flush,
  );

  /**
   * One whole zstd frame's content. A damaged frame rejects, or gives other bytes (which the
   * caller's digest check refuses); either way the lane's later frames are not to be trusted,
   * so a caller stops at the first failure, as a restore and a verify do.
   */
  decompress(frame: Buffer): Promise<Buffer> {
    return this.lanes.run(frame);
  }

  close(): void {
    this.lanes.close();
  }
}
