import fsp from 'node:fs/promises';
import path from 'node:path';
import type Redis from 'ioredis';
import type { CommandRunner, RunningCommand } from '../../exec/CommandRunner';
import { connectRedis } from './redisConnection';
import { readInfo } from './redisInfo';
import { sparePort } from './sparePort';
import { waitFor } from './waitFor';

async function logTail(file: string): Promise<string> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-5).join(' | ');
}

/**
 * A private redis-server on a spare loopback port that loads one RDB file: the way to read an
 * RDB's keys without touching the real server. Nothing is saved back (`save ""`).
 */
export class TemporaryRedisServer {
  private constructor(
    private readonly process: RunningCommand,
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts on `rdbFile` (which is moved into `dir`) and waits until the data is loaded. */
  static async start(
    runner: CommandRunner,
    rdbFile: string,
    dir: string,
    timeoutMs = 120_000,
  ): Promise<TemporaryRedisServer> {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    await fsp.rename(rdbFile, path.join(dir, 'dump.rdb'));
    const logFile = path.join(dir, 'redis.log');
    const port = await sparePort();
    const running = runner.run({
      command: 'redis-server',
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--protected-mode',
        'yes',
        '--dir',
        dir,
        '--dbfilename',
        'dump.rdb',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--logfile',
        logFile,
      ],
    });
    running.stdout.resume();
    const server = new TemporaryRedisServer(running, port, dir);
    let exited: Error | undefined;
    running.completion.then(
      () => (exited = new Error('exited')),
      error => (exited = error),
    );
    try {
      await waitFor(
        async () => {
          if (exited)
            throw new Error(
              `the temporary redis-server could not load the RDB: ${
                (await logTail(logFile)) || exited.message
              }`,
            );
          try {
            const client = await connectRedis({ host: '127.0.0.1', port });
            try {
              return (await readInfo(client, 'persistence')).get('loading') ===
                '0'
                ? true
                : undefined;
            } finally {
              client.disconnect();
            }
          } catch {
            return undefined;
          }
        },
        {
          timeoutMs,
          intervalMs: 100,
          timeoutMessage: () =>
            `the temporary redis-server did not finish loading the RDB within ${
              timeoutMs / 1000
            } s`,
        },
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  connect(db = 0): Promise<Redis> {
    return connectRedis({ host: '127.0.0.1', port: this.port }, db);
  }

  async stop(): Promise<void> {
    this.process.kill(true);
    await this.process.completion.catch(() => undefined);
    await fsp.rm(this.dir, { recursive: true, force: true });
  }
}
