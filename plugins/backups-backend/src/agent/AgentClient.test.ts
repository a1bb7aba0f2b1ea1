import { AgentClient } from './AgentClient';
import { AgentError } from './AgentError';
import {
  closedPortUrl,
  sendJson as json,
  StandInAgent,
  startStandInAgent,
} from '../testing/standInAgent';

/**
 * The client's error paths against a stand-in HTTP server: a hung, refusing or misbehaving
 * agent cannot be produced on demand with the real one. The happy path runs against the real
 * agent in plugin.test.ts.
 */
const TOKEN = 'tok-5f4e3d2c1b0a-very-secret';

let agent: StandInAgent;

beforeAll(async () => {
  agent = await startStandInAgent();
});

afterAll(async () => {
  await agent.close();
});

beforeEach(() => {
  agent.requests.length = 0;
});

const client = (timeoutMs = 2000) =>
  new AgentClient(
    { name: 'demo-host', url: agent.url, token: TOKEN },
    { timeoutMs },
  );

const runningJob = {
  id: 'job-1',
  kind: 'backup',
  subject: { kind: 'target', name: 'app-db' },
  state: 'running',
  phase: 'dumping',
  bytes: 0,
  startedAt: '2026-11-21T10:00:00.000Z',
};

async function errorOf(promise: Promise<unknown>): Promise<AgentError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AgentError);
    return error as AgentError;
  }
  throw new Error('expected an AgentError');
}

describe('AgentClient', () => {
  it('starts a backup with the bearer token and the target', async () => {
    agent.handle = (_req, _body, res) => json(res, 202, runningJob);
    const result = await client().startBackup('app-db');
    expect(result).toEqual({ kind: 'started', job: runningJob });
    expect(agent.requests).toEqual([
      {
        method: 'POST',
        url: '/v1/backups',
        authorization: `Bearer ${TOKEN}`,
        body: '{"target":"app-db"}',
      },
    ]);
  });

  it('reports a busy target (409) with the running job', async () => {
    agent.handle = (_req, _body, res) =>
      json(res, 409, {
        error: 'a backup of app-db is running',
        runningJobId: 'job-0',
      });
    expect(await client().startBackup('app-db')).toEqual({
      kind: 'busy',
      runningJobId: 'job-0',
      message: 'a backup of app-db is running',
    });
  });

  it('returns undefined for a job the agent does not know', async () => {
    agent.handle = (_req, _body, res) =>
      json(res, 404, { error: 'no such job' });
    expect(await client().getJob('gone')).toBeUndefined();
    expect(agent.requests[0].url).toBe('/v1/jobs/gone');
  });

  it('explains a refused token without ever showing it', async () => {
    agent.handle = (_req, _body, res) =>
      json(res, 401, { error: `bad token ${TOKEN}` });
    const error = await errorOf(client().startBackup('app-db'));
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toContain('backups.agents.demo-host.token');
    expect(error.message).not.toContain(TOKEN);
  });

  it('redacts secrets an agent echoes in a server error', async () => {
    agent.handle = (_req, _body, res) =>
      json(res, 500, {
        error: `dump failed for postgres://app:pw123@db/app with ${TOKEN}`,
      });
    const error = await errorOf(client().getJob('job-1'));
    expect(error.kind).toBe('server_error');
    expect(error.transient).toBe(true);
    expect(error.message).toContain('postgres://app:[redacted]@db/app');
    expect(error.message).not.toContain(TOKEN);
    expect(error.message).not.toContain('pw123');
  });

  it('gives up on an agent that does not answer', async () => {
    agent.handle = () => undefined; // never answers
    const started = Date.now();
    const error = await errorOf(client(300).getJob('job-1'));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error.message).toContain('did not answer within 300 ms');
  });

  it('says an agent that is not listening is unreachable, and where to fix the URL', async () => {
    const closed = new AgentClient(
      { name: 'demo-host', url: await closedPortUrl(), token: TOKEN },
      { timeoutMs: 2000 },
    );
    const error = await errorOf(closed.startBackup('app-db'));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('backups.agents.demo-host.url');
    expect(error.message).not.toContain(TOKEN);
  });

  it('refuses a job in an unexpected shape instead of trusting it', async () => {
    agent.handle = (_req, _body, res) =>
      json(res, 200, {
        ...runningJob,
        state: 'succeeded',
        snapshots: [
          {
            id: 's',
            target: 'app-db',
            tier: 'local',
            createdAt: '2026-11-21T10:00:00.000Z',
            bytes: 10,
            rawBytes: 20,
            sha256: 'not-a-checksum',
            artifacts: [],
            location: 'file:///b/s',
            engine: 'sqlite',
            engineVersion: null,
            manifestVersion: 1,
          },
        ],
      });
    const error = await errorOf(client().getJob('job-1'));
    expect(error.kind).toBe('bad_response');
    expect(error.message).toContain('snapshots.0.sha256');
  });
});
