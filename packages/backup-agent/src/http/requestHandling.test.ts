import http from 'node:http';
import { useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'request-handling-test-token-6c2e9a4f1b8d';
const TOKEN_ENV = 'SAFEKEEP_TEST_REQUEST_HANDLING_TOKEN';
const auth = { authorization: `Bearer ${TOKEN}` };

/** One raw request: status, headers and body text as the agent sent them. */
function send(
  server: AgentServer,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string | number>;
    body?: string | Buffer;
  },
): Promise<{
  status?: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${server.url}${options.path}`,
      { method: options.method, headers: options.headers },
      response => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', chunk => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode,
            headers: response.headers,
            text,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** What a client gets wrong on the wire (bodies, paths, methods) gets a clear 4xx. */
describe('agent HTTP API: requests on the wire', () => {
  const tempDir = useTempDir();
  let server: AgentServer;

  beforeAll(async () => {
    process.env[TOKEN_ENV] = TOKEN;
    server = await startAgentServer(
      {
        agent: {
          name: 'wire',
          token: { env: TOKEN_ENV },
          staging: './staging',
          listen: { host: '127.0.0.1', port: 0 },
        },
        storage: { local: { type: 'filesystem', path: './snapshots' } },
        targets: { files: { engine: 'directory', path: './files' } },
      },
      { baseDir: tempDir(), log: () => undefined },
    );
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers JSON with its length, and nothing that names the server software', async () => {
    const answer = await send(server, {
      method: 'GET',
      path: '/v1/health',
      headers: auth,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(Number(answer.headers['content-length'])).toBe(
      Buffer.byteLength(answer.text),
    );
    expect(answer.headers['x-powered-by']).toBeUndefined();
    expect(JSON.parse(answer.text)).toMatchObject({
      status: 'ok',
      name: 'wire',
    });
  });

  it('refuses a body over 64 KiB with 413, declared or streamed', async () => {
    const big = JSON.stringify({ target: 'files', pad: 'x'.repeat(70_000) });
    const declared = await send(server, {
      method: 'POST',
      path: '/v1/backups',
      headers: { ...auth, 'content-type': 'application/json' },
      body: big,
    });
    expect([declared.status, JSON.parse(declared.text)]).toEqual([
      413,
      { error: 'the request body is too large' },
    ]);
    const streamed = await send(server, {
      method: 'POST',
      path: '/v1/backups',
      headers: {
        ...auth,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      body: big,
    });
    expect(streamed.status).toBe(413);
  });

  it('asks for the token before it reads a body', async () => {
    const answer = await send(server, {
      method: 'POST',
      path: '/v1/backups',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(70_000) }),
    });
    expect([answer.status, answer.headers['www-authenticate']]).toEqual([
      401,
      'Bearer',
    ]);
    expect(JSON.parse(answer.text)).toEqual({ error: 'unauthorized' });
  });

  it('refuses a body that is not JSON with 415, and JSON that is not an object with 400', async () => {
    // curl -d sends a form's content type: the body must not be ignored as if it were absent.
    const form = await send(server, {
      method: 'POST',
      path: '/v1/backups',
      headers: {
        ...auth,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '{"target":"files"}',
    });
    expect([form.status, JSON.parse(form.text)]).toEqual([
      415,
      {
        error:
          'the request body must be JSON (Content-Type: application/json, UTF-8)',
      },
    ]);
    const compressed = await send(server, {
      method: 'POST',
      path: '/v1/backups',
      headers: {
        ...auth,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: Buffer.from([0x1f, 0x8b]),
    });
    expect(compressed.status).toBe(415);
    const bare = await send(server, {
      method: 'POST',
      path: '/v1/backups',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '"files"',
    });
    expect([bare.status, JSON.parse(bare.text)]).toEqual([
      400,
      { error: 'the request body is not valid JSON' },
    ]);
  });

  it('answers 404 to an unknown path or method, and decodes path parameters', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nope'],
      ['GET', '/v1/backups'],
      ['DELETE', '/v1/jobs'],
      ['GET', '/v1/jobs/a/b'],
    ]) {
      const answer = await send(server, { method, path, headers: auth });
      expect([method, path, answer.status, JSON.parse(answer.text)]).toEqual([
        method,
        path,
        404,
        { error: 'no such route; see docs/agent.md for the API' },
      ]);
    }
    const job = await send(server, {
      method: 'GET',
      path: '/v1/jobs/no%20such',
      headers: auth,
    });
    expect([job.status, JSON.parse(job.text).error]).toEqual([
      404,
      'no job no such (jobs are kept in memory until the agent restarts)',
    ]);
    const malformed = await send(server, {
      method: 'GET',
      path: '/v1/jobs/%E0%A4%A',
      headers: auth,
    });
    expect([malformed.status, JSON.parse(malformed.text)]).toEqual([
      400,
      { error: 'the path segment "%E0%A4%A" is not valid' },
    ]);
  });

  it("takes a query's parameters, and refuses one given twice", async () => {
    const listed = await send(server, {
      method: 'GET',
      path: '/v1/snapshots?target=files&tier=local',
      headers: auth,
    });
    expect([listed.status, JSON.parse(listed.text)]).toEqual([
      200,
      { snapshots: [] },
    ]);
    const twice = await send(server, {
      method: 'GET',
      path: '/v1/snapshots?target=files&target=other',
      headers: auth,
    });
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.text).error).toMatch(/^target: /);
  });

  it('answers HEAD like GET without a body, and ignores one trailing slash', async () => {
    const head = await send(server, {
      method: 'HEAD',
      path: '/v1/health',
      headers: auth,
    });
    expect([head.status, head.text]).toEqual([200, '']);
    const slash = await send(server, {
      method: 'GET',
      path: '/v1/health/',
      headers: auth,
    });
    expect(slash.status).toBe(200);
  });
});
