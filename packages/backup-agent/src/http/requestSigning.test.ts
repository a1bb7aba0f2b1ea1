import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  requestSigningMessage,
  SIGNATURE_HEADERS,
} from '@safekeep/plugin-backups-common';
import { useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'request-signing-test-token-3a7f1c9e5b2d8046';
const TOKEN_ENV = 'SAFEKEEP_TEST_SIGNING_TOKEN';

/** What the backend sends: bearer token plus timestamp, nonce and HMAC (see signRequest). */
function signed(
  method: string,
  path: string,
  body = '',
  options: { timestamp?: number; nonce?: string; token?: string } = {},
): Record<string, string> {
  const timestamp = String(options.timestamp ?? Date.now());
  const nonce = options.nonce ?? randomBytes(16).toString('hex');
  const signature = createHmac('sha256', options.token ?? TOKEN)
    .update(
      requestSigningMessage({
        method,
        path,
        bodySha256: createHash('sha256').update(body).digest('hex'),
        timestamp,
        nonce,
      }),
    )
    .digest('hex');
  return {
    authorization: `Bearer ${TOKEN}`,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature,
  };
}

/**
 * Plays whoever captured one request between the backend and the agent (a proxy's log, a
 * packet capture): sending it again, later, or with another body must get nowhere.
 */
describe('signed requests', () => {
  const tempDir = useTempDir();
  let server: AgentServer;

  async function start(requireSignedRequests?: boolean, host?: string) {
    process.env[TOKEN_ENV] = TOKEN;
    const dir = tempDir();
    server = await startAgentServer(
      {
        agent: {
          name: 'signing-host',
          token: { env: TOKEN_ENV },
          staging: './staging',
          listen: { port: 0, ...(host ? { host } : {}) },
          ...(requireSignedRequests === undefined
            ? {}
            : { requireSignedRequests }),
        },
        storage: { local: { type: 'filesystem', path: './snapshots' } },
        targets: { files: { engine: 'directory', path: './files' } },
      },
      { baseDir: dir, log: () => undefined },
    );
  }
  afterEach(async () => {
    await server?.close();
  });

  const send = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
    });

  it('refuses a captured request sent a second time', async () => {
    await start(true);
    const headers = signed('GET', '/v1/targets');
    expect((await send('GET', '/v1/targets', headers)).status).toBe(200);
    const replay = await send('GET', '/v1/targets', headers);
    expect(replay.status).toBe(401);
    expect((await replay.json()).error).toMatch(
      /already received \(a replay\)/,
    );
  });

  it('refuses a request signed more than five minutes ago, or ahead of its clock', async () => {
    await start(true);
    for (const offset of [-6 * 60_000, 6 * 60_000]) {
      const response = await send(
        'GET',
        '/v1/health',
        signed('GET', '/v1/health', '', { timestamp: Date.now() + offset }),
      );
      expect(response.status).toBe(401);
      expect((await response.json()).error).toMatch(
        /timestamp is more than 300 s from the agent's clock/,
      );
    }
  });

  it('refuses a captured signature on another body, path or method', async () => {
    await start(true);
    const body = JSON.stringify({ target: 'files' });
    const headers = signed('POST', '/v1/backups', body);
    const other = JSON.stringify({ target: 'files', tier: 'local' });
    for (const [method, path, sent] of [
      ['POST', '/v1/backups', other],
      ['POST', '/v1/prune', body],
    ] as const) {
      const response = await send(method, path, headers, sent);
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
      expect((await response.json()).error).toMatch(/signature does not match/);
    }
    const forged = signed('GET', '/v1/targets', '', {
      token: 'not-the-token-but-long-enough-0123456789',
    });
    expect((await send('GET', '/v1/targets', forged)).status).toBe(401);
  });

  it('refuses a bearer-only request when requireSignedRequests is set, and takes it otherwise', async () => {
    await start(true);
    const bare = await send('GET', '/v1/health', {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(bare.status).toBe(401);
    expect((await bare.json()).error).toMatch(/requires signed requests/);
    await server.close();

    await start(false);
    expect(
      (await send('GET', '/v1/health', { authorization: `Bearer ${TOKEN}` }))
        .status,
    ).toBe(200);
    // A signature that is there is checked even then.
    const headers = signed('GET', '/v1/health');
    expect((await send('GET', '/v1/health', headers)).status).toBe(200);
    expect((await send('GET', '/v1/health', headers)).status).toBe(401);
  });

  it('refuses bearer-only requests by default when it listens beyond loopback, and takes them on loopback', async () => {
    await start(undefined, '0.0.0.0');
    const url = server.url.replace('0.0.0.0', '127.0.0.1');
    const bare = await fetch(`${url}/v1/health`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bare.status).toBe(401);
    expect((await bare.json()).error).toMatch(/requires signed requests/);
    const { authorization, ...rest } = signed('GET', '/v1/health');
    expect(
      (await fetch(`${url}/v1/health`, { headers: { authorization, ...rest } }))
        .status,
    ).toBe(200);
    await server.close();

    await start(undefined, '127.0.0.1');
    expect(
      (await send('GET', '/v1/health', { authorization: `Bearer ${TOKEN}` }))
        .status,
    ).toBe(200);
  });
});
