import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP endpoint that pretends to be a database server and records every connection and the
 * first bytes sent (a PostgreSQL startup packet, a Redis AUTH, a MariaDB handshake answer). It
 * greets like MariaDB when asked to, so a MariaDB client goes on to send its login.
 */
export class LoginRecorder {
  readonly received: Buffer[] = [];
  connections = 0;
  private readonly server: net.Server;

  private constructor(server: net.Server) {
    this.server = server;
  }

  static async start(greeting?: Buffer): Promise<LoginRecorder> {
    const server = net.createServer();
    const recorder = new LoginRecorder(server);
    server.on('connection', socket => {
      recorder.connections++;
      socket.on('data', chunk => recorder.received.push(chunk));
      socket.on('error', () => undefined);
      if (greeting) socket.write(greeting);
      // Answer nothing useful: the client gives up after it has shown what it sends.
      setTimeout(() => socket.destroy(), 300);
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    return recorder;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Everything received, as text, to look for a password. */
  text(): string {
    return Buffer.concat(this.received).toString('latin1');
  }

  async close(): Promise<void> {
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}
