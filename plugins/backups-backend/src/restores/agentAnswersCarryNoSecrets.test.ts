import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  sendJson,
  StandInAgent,
  startStandInAgent,
} from '../testing/standInAgent';
import {
  ANN,
  as,
  startRestoreTestBackend,
} from '../testing/startRestoreTestBackend';

jest.setTimeout(120_000);

/**
 * Plays an agent (or a tool behind it) that puts secrets into what it answers: a verify error
 * quoting a password and the backend's own token, a snapshot location with S3 keys in its URL.
 * None of it may reach the API's answers or the database.
 */
const TOKEN = 'answers-test-agent-token-7e3f9a1c5b2d4e6f';
const DB_PASSWORD = 'hunter2-db-password';
const S3_SECRET = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY';
const SNAPSHOT_ID = '20260118T040000Z';
const LEAKY_LOCATION = `s3://AKIAIOSFODNN7EXAMPLE:${S3_SECRET}@backups/app-db/${SNAPSHOT_ID}/`;

const APP_DB: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'app-db',
    namespace: 'default',
    annotations: {
      'safekeep.io/agent': 'demo-host',
      'safekeep.io/target': 'app-db',
      'safekeep.io/engine': 'sqlite',
    },
  },
  spec: { type: 'database', owner: 'team-a' },
};

const snapshot = {
  id: SNAPSHOT_ID,
  target: 'app-db',
  tier: 'offsite',
  createdAt: '2026-01-18T04:00:00.000Z',
  bytes: 10,
  rawBytes: 20,
  sha256: 'a'.repeat(64),
  artifacts: [{ name: 'app.db.zst', bytes: 10, sha256: 'a'.repeat(64) }],
  location: LEAKY_LOCATION,
  engine: 'sqlite',
  engineVersion: '3.45.0',
  manifestVersion: 1,
};

const job = {
  id: 'verify-1',
  kind: 'verify',
  subject: { kind: 'target', name: 'app-db' },
  phase: 'verifying',
  bytes: 0,
  startedAt: '2026-01-18T05:00:00.000Z',
};

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

let agent: StandInAgent;
let env: Awaited<ReturnType<typeof startRestoreTestBackend>>;

beforeAll(async () => {
  agent = await startStandInAgent();
  agent.handle = (req, _body, res) => {
    const url = req.url ?? '';
    if (url === '/v1/targets')
      return sendJson(res, 200, {
        targets: [
          {
            name: 'app-db',
            engine: 'sqlite',
            tiers: ['offsite'],
            source: 'config',
          },
        ],
      });
    if (url.startsWith('/v1/snapshots'))
      return sendJson(res, 200, { snapshots: [snapshot] });
    if (url === '/v1/verify')
      return sendJson(res, 202, { ...job, state: 'running' });
    if (url === '/v1/jobs/verify-1')
      return sendJson(res, 200, {
        ...job,
        state: 'failed',
        finishedAt: '2026-01-18T05:00:01.000Z',
        error: `could not read ${LEAKY_LOCATION}app.db.zst: connection to postgres://app:${DB_PASSWORD}@db.internal/app failed (PGPASSWORD=${DB_PASSWORD}); the backend sent Authorization: Bearer ${TOKEN}, token ${TOKEN}`,
      });
    return sendJson(res, 404, { error: 'not here' });
  };
  env = await startRestoreTestBackend({
    knex: await databases.init('SQLITE_3'),
    entities: [APP_DB],
    agentUrl: agent.url,
    agentToken: TOKEN,
  });
});

afterAll(async () => {
  await env?.backend.stop();
  await agent?.close();
});

const SECRETS = [TOKEN, DB_PASSWORD, S3_SECRET];
const leaked = (text: string) => SECRETS.filter(s => text.includes(s));

describe('what the agent answers carries no secret into the API or the database', () => {
  it("stores and returns the preview's verify error redacted", async () => {
    const res = await env
      .api()
      .post('/api/backups/entities/resource/default/app-db/restores')
      .set('Authorization', as(ANN))
      .send({ snapshotId: SNAPSHOT_ID, reason: 'a test' })
      .expect(201);
    expect(res.body.status).toBe('refused');
    // The refusal still says what went wrong, without the secrets.
    expect(res.body.preview.verification).toMatch(
      /Verification failed: could not read s3:\/\/.*backups\/app-db\//,
    );
    expect(leaked(JSON.stringify(res.body))).toEqual([]);

    const rows = await env.knex('restore_requests').select();
    expect(rows).toHaveLength(1);
    expect(leaked(JSON.stringify(rows))).toEqual([]);

    const listed = await env
      .api()
      .get('/api/backups/entities/resource/default/app-db/restores')
      .set('Authorization', as(ANN))
      .expect(200);
    expect(leaked(JSON.stringify(listed.body))).toEqual([]);
  });

  it('drops credentials from a snapshot location before the API lists it', async () => {
    const res = await env
      .api()
      .get('/api/backups/entities/resource/default/app-db/snapshots')
      .set('Authorization', as(ANN))
      .expect(200);
    expect(JSON.stringify(res.body)).toContain(
      `s3://backups/app-db/${SNAPSHOT_ID}/`,
    );
    expect(leaked(JSON.stringify(res.body))).toEqual([]);
  });
});
