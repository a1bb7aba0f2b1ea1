import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { sparePort } from '../engines/redis/sparePort';

/** A redis-server of the test's own: spare port, own folder, a password, started daemonized. */
export class PrivateRedisServer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-redis-'));
  readonly conf = path.join(this.dir, 'redis.conf');
  readonly rdbPath = path.join(this.dir, 'dump.rdb');

  constructor(readonly port: number, readonly password: string) {
    fs.writeFileSync(
      this.conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        'dbfilename dump.rdb',
        `requirepass "${password}"`,
        'save ""',
        'appendonly no',
        'daemonize yes',
        `pidfile ${this.dir}/redis.pid`,
        `logfile ${this.dir}/redis.log`,
      ].join('\n'),
    );
  }

  static async start(
    password = `pw-${randomBytes(8).toString('hex')}`,
  ): Promise<PrivateRedisServer> {
    const server = new PrivateRedisServer(await sparePort(), password);
    server.launch();
    await server.waitUntilReady();
    return server;
  }

  launch(): void {
    execFileSync('redis-server', [this.conf]);
  }

  async waitUntilReady(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      try {
        const client = await this.connect(0);
        client.disconnect();
        return;
      } catch {
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    }
    throw new Error(`the test redis-server on port ${this.port} did not start`);
  }

  connect = async (db: number): Promise<Redis> => {
    const client = new Redis({
      port: this.port,
      password: this.password,
      db,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };

  get stopCommand(): string[] {
    return ['redis-cli', '-p', String(this.port), 'shutdown', 'nosave'];
  }

  get startCommand(): string[] {
    return ['redis-server', this.conf];
  }

  async destroy(): Promise<void> {
    try {
      const client = await this.connect(0);
      await client.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      client.disconnect();
    } catch {
      // Already stopped.
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
