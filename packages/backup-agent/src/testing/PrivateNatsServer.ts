import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, NatsConnection } from 'nats';
import { sparePort } from '../engines/redis/sparePort';

/**
 * A nats-server with JetStream of the test's own: spare port, own store folder, its process
 * ended by its pid. Optionally one node of a two-node cluster (JetStream shared by both).
 */
export class PrivateNatsServer {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-nats-'));
  private process?: ChildProcess;
  private output = '';

  private constructor(readonly port: number, readonly routePort: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateNatsServer> {
    const server = new PrivateNatsServer(await sparePort(), await sparePort());
    server.launch([]);
    await server.waitUntilReady();
    return server;
  }

  /** Two servers of one cluster: a stream created through one is the same stream through the other. */
  static async startCluster(): Promise<[PrivateNatsServer, PrivateNatsServer]> {
    const nodes = [
      new PrivateNatsServer(await sparePort(), await sparePort()),
      new PrivateNatsServer(await sparePort(), await sparePort()),
    ] as const;
    const cluster = `safekeep-test-${process.pid}`;
    nodes.forEach((node, index) => {
      const peer = nodes[1 - index];
      node.launch([
        '--server_name',
        `node${index}-${node.port}`,
        '--cluster_name',
        cluster,
        '--cluster',
        `nats://127.0.0.1:${node.routePort}`,
        '--routes',
        `nats://127.0.0.1:${peer.routePort}`,
      ]);
    });
    await Promise.all(nodes.map(node => node.waitUntilReady()));
    return [nodes[0], nodes[1]];
  }

  private launch(extra: string[]): void {
    const child = spawn(
      'nats-server',
      [
        '-js',
        '-a',
        '127.0.0.1',
        '-p',
        String(this.port),
        '-sd',
        this.dir,
        ...extra,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.on('error', error => {
      this.output += `cannot start nats-server (${error.message}); the scratch-server tests need it installed`;
    });
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', chunk => (this.output += String(chunk)));
    this.process = child;
  }

  /** Until it answers with JetStream ready (in a cluster: once its nodes elected a leader). */
  private async waitUntilReady(): Promise<void> {
    for (let i = 0; i < 150; i++) {
      try {
        const nc = await this.connect();
        try {
          await (await nc.jetstreamManager()).getAccountInfo();
          return;
        } finally {
          await nc.close();
        }
      } catch {
        await new Promise(resolve => setTimeout(resolve, 100));
      }
    }
    throw new Error(
      `the test nats-server on port ${
        this.port
      } did not start: ${this.output.slice(-500)}`,
    );
  }

  connect(): Promise<NatsConnection> {
    return connect({
      servers: this.url,
      maxReconnectAttempts: 0,
      timeout: 2000,
    });
  }

  async destroy(): Promise<void> {
    const child = this.process;
    if (child && child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
