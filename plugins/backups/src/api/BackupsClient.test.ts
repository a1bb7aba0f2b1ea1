/**
 * @jest-environment node
 */
// The node environment gives a real fetch and a real HTTP server on a free port;
// the client is exercised over the wire, not against a mocked fetch.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ResponseError } from '@backstage/errors';
import type { RunsPage } from '@safekeep/plugin-backups-common';
import { BackupsClient } from './BackupsClient';

interface SeenRequest {
  method: string;
  url: string;
  authorization?: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('BackupsClient', () => {
  let server: http.Server;
  let baseUrl: string;
  let seen: SeenRequest[];
  let handler: Handler;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
      });
      handler(req, res);
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
    handler = (_req, res) => res.writeHead(500).end();
  });

  const entity = { kind: 'Resource', namespace: 'default', name: 'orders db' };

  function client() {
    return new BackupsClient({
      discoveryApi: {
        getBaseUrl: async pluginId =>
          pluginId === 'backups' ? baseUrl : 'wrong',
      },
      // Stands in for Backstage's FetchApi, which adds the user's token.
      fetchApi: {
        fetch: (input, init) =>
          fetch(input, {
            ...init,
            headers: {
              ...(init?.headers as object),
              authorization: 'Bearer user-token',
            },
          }),
      },
    });
  }

  function json(status: number, body: unknown): Handler {
    return (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
  }

  it('reads the summary from the entity path, escaping each part, with the user token', async () => {
    handler = json(200, {
      entityRef: 'resource:default/orders db',
      health: 'ok',
    });

    const summary = await client().getSummary(entity);

    expect(summary.health).toBe('ok');
    expect(seen).toEqual([
      {
        method: 'GET',
        url: '/api/backups/entities/Resource/default/orders%20db/summary',
        authorization: 'Bearer user-token',
      },
    ]);
  });

  it('pages through runs with limit and offset', async () => {
    const page: RunsPage = { items: [], total: 42, limit: 10, offset: 20 };
    handler = json(200, page);

    await expect(
      client().listRuns(entity, { limit: 10, offset: 20 }),
    ).resolves.toEqual(page);
    expect(seen[0].url).toBe(
      '/api/backups/entities/Resource/default/orders%20db/runs?limit=10&offset=20',
    );
  });

  it('starts a run with POST and returns the accepted run', async () => {
    handler = json(202, { runId: 'run-1', status: 'queued' });

    await expect(client().startRun(entity)).resolves.toEqual({
      runId: 'run-1',
      status: 'queued',
    });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/backups/entities/Resource/default/orders%20db/runs',
    });
  });

  it('reads the size series for a window of days', async () => {
    handler = json(200, {
      entityRef: 'resource:default/orders db',
      days: 90,
      points: [],
      growthBytesPer30Days: null,
    });

    const series = await client().getSizes(entity, 90);

    expect(series.days).toBe(90);
    expect(seen[0].url).toBe(
      '/api/backups/entities/Resource/default/orders%20db/sizes?days=90',
    );
  });

  it("lists the entity's snapshots from the snapshots route", async () => {
    handler = json(200, {
      snapshots: [{ id: 's1', tier: 'local' }],
    });

    await expect(client().listSnapshots(entity)).resolves.toEqual([
      { id: 's1', tier: 'local' },
    ]);
    expect(seen[0].url).toBe(
      '/api/backups/entities/Resource/default/orders%20db/snapshots',
    );
  });

  it("reads a team's overview with the owner's ref escaped in the query", async () => {
    handler = json(200, { owner: 'group:default/team-a', entities: [] });

    const overview = await client().getTeamOverview('group:default/team-a');

    expect(overview.owner).toBe('group:default/team-a');
    expect(seen[0]).toEqual({
      method: 'GET',
      url: '/api/backups/overview?owner=group%3Adefault%2Fteam-a',
      authorization: 'Bearer user-token',
    });
  });

  it('lists the backup targets from the targets route', async () => {
    handler = json(200, [
      { entityRef: 'resource:default/orders-db-staging', engine: 'postgres' },
    ]);

    const targets = await client().listTargets();

    expect(targets.map(t => t.entityRef)).toEqual([
      'resource:default/orders-db-staging',
    ]);
    expect(seen[0]).toMatchObject({
      method: 'GET',
      url: '/api/backups/targets',
    });
  });

  it('turns a bare {error:{message}} 409 into a ResponseError carrying the server message', async () => {
    handler = json(409, {
      error: {
        message: 'a backup of resource:default/orders db is already running',
      },
    });

    const error = await client()
      .startRun(entity)
      .catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.cause.message).toBe(
      'a backup of resource:default/orders db is already running',
    );
  });

  it("keeps Backstage's full error body as it is", async () => {
    handler = json(403, {
      error: {
        name: 'NotAllowedError',
        message: 'you may not read backups of this entity',
      },
      request: { method: 'GET', url: '/x' },
      response: { statusCode: 403 },
    });

    const error = await client()
      .getSummary(entity)
      .catch(e => e);

    expect(error.statusCode).toBe(403);
    expect(error.cause.name).toBe('NotAllowedError');
    expect(error.cause.message).toBe('you may not read backups of this entity');
  });

  it('reports a non-JSON failure with its status and text', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway from proxy');
    };

    const error = await client()
      .getSummary(entity)
      .catch(e => e);

    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(502);
    expect(error.cause.message).toContain('bad gateway from proxy');
  });
});
