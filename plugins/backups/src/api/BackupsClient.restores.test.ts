/**
 * @jest-environment node
 */
// A real HTTP server on a free port: the restore calls are checked over the wire.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResponseError } from '@backstage/errors';
import { BackupsClient } from './BackupsClient';

interface Seen {
  method: string;
  url: string;
  contentType?: string;
  body: string;
}

describe('BackupsClient restore calls', () => {
  let server: http.Server;
  let baseUrl: string;
  let seen: Seen[];
  let answer: { status: number; body: unknown };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          contentType: req.headers['content-type'],
          body,
        });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/backups`;
  });

  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  beforeEach(() => {
    seen = [];
  });

  const client = () =>
    new BackupsClient({
      discoveryApi: { getBaseUrl: async () => baseUrl },
      fetchApi: { fetch: (input, init) => fetch(input, init) },
    });
  const entity = { kind: 'System', namespace: 'default', name: 'shop' };

  it('posts a restore request as JSON to the entity path', async () => {
    answer = { status: 201, body: { id: 'r1', status: 'pending' } };
    const created = await client().requestRestore(entity, {
      reason: 'roll back',
      snapshotId: '20261120T010000Z',
    });
    expect(created).toEqual({ id: 'r1', status: 'pending' });
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/api/backups/entities/System/default/shop/restores',
        contentType: 'application/json',
        body: JSON.stringify({
          reason: 'roll back',
          snapshotId: '20261120T010000Z',
        }),
      },
    ]);
  });

  it("lists an entity's restores, or all pending ones, with the status in the query", async () => {
    answer = { status: 200, body: { items: [{ id: 'r1' }] } };
    await expect(client().listRestores({ entity, limit: 50 })).resolves.toEqual(
      [{ id: 'r1' }],
    );
    await client().listRestores({ status: 'pending' });
    expect(seen.map(s => s.url)).toEqual([
      '/api/backups/entities/System/default/shop/restores?limit=50',
      '/api/backups/restores?status=pending',
    ]);
  });

  it("withdraws with a POST to the request's withdraw path", async () => {
    answer = { status: 200, body: { id: 'r 1', status: 'withdrawn' } };
    const withdrawn = await client().withdrawRestore('r 1');
    expect(withdrawn.status).toBe('withdrawn');
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/backups/restores/r%201/withdraw',
    });
  });

  it('approves and rejects with the comment, and surfaces a 403 with the server message', async () => {
    answer = { status: 200, body: { id: 'r 1', status: 'approved' } };
    await client().decideRestore('r 1', 'approve', 'ok');
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/backups/restores/r%201/approve',
      body: '{"comment":"ok"}',
    });

    answer = {
      status: 403,
      body: {
        error: {
          name: 'NotAllowedError',
          message: 'You asked for this restore, so someone else must reject it',
        },
      },
    };
    const error = await client()
      .decideRestore('r1', 'reject', 'no')
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.cause.message).toBe(
      'You asked for this restore, so someone else must reject it',
    );
  });
});
