import type { Readable, Writable } from 'node:stream';
import type Docker from 'dockerode';

/** Buffered stdout bytes at which reading from the engine pauses until the consumer catches up. */
const HIGH_WATER = 1024 * 1024;

/**
 * Splits Docker's multiplexed stream (exec or attach without a TTY) into stdout and stderr with
 * docker-modem's demuxStream, and adds the backpressure demuxStream lacks: when the consumer of
 * stdout falls behind, the engine's stream is paused, so a large dump is never held in memory.
 * stdout is ended when the engine's stream ends.
 */
export function demuxOutput(
  docker: Docker,
  source: Readable,
  stdout: Writable,
  stderr: Writable,
): void {
  docker.modem.demuxStream(source, stdout, stderr);
  // Registered after demuxStream's own listener: runs once the chunk was written.
  source.on('data', () => {
    if (stdout.writableLength > HIGH_WATER && !source.isPaused()) {
      source.pause();
      stdout.once('drain', () => source.resume());
    }
  });
  const finish = () => {
    if (!stdout.writableEnded) stdout.end();
  };
  source.on('end', finish);
  source.on('close', finish);
  source.on('error', error => stdout.destroy(error));
}
