import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandInHandler = (
  req: http.IncomingMessage,
  body: string,
  res: http.ServerResponse,
) => void;

export interface StandInAgent {
  url: string;
  /** What to answer; replace it per test. Default: 500. */
  handle: StandInHandler;
  requests: Array<{
    method?: string;
    url?: string;
    authorization?: string;
    body: string;
  }>;
  close(): Promise<void>;
}

/**
 * An HTTP server in place of an agent, for the answers the real agent cannot be made to give
 * on demand: hangs, refusals, 409 from a job the backend did not start, garbage.
 */
export async function startStandInAgent(): Promise<StandInAgent> {
  const agent: StandInAgent = {
    url: '',
    handle: (_req, _body, res) => sendJson(res, 500, { error: 'no handler' }),
    requests: [],
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      agent.requests.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        body,
      });
      agent.handle(req, body, res);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  agent.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent.close = async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  };
  return agent;
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A port nothing listens on (it was free a moment ago). */
export async function closedPortUrl(): Promise<string> {
  const probe = http.createServer();
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise(resolve => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}
