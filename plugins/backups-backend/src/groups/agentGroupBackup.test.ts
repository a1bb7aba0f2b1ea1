import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type {
  AgentJob,
  AgentSnapshot,
  BackupRun,
  StartRunResponse,
} from '@safekeep/plugin-backups-common';
import {
  sendJson,
  StandInAgent,
  startStandInAgent,
} from '../testing/standInAgent';
import { startBackupsTestBackend } from '../testing/testBackend';

// The agent's own group backup stops Docker containers, and there is no Docker engine here:
// a stand-in HTTP server answers as the agent does (docs/agent.md). The fallback to member by
// member against the real agent is in groups.test.ts.
jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const TOKEN = 'stand-in-agent-token-0123456789';

const SHOP: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: { 'safekeep.io/consistency-group': 'shop-group' },
  },
  spec: { owner: 'group:default/team-a' },
};
const member = (name: string, target: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'safekeep.io/agent': 'demo-host',
      'safekeep.io/target': target,
    },
  },
  spec: { type: 'database', owner: 'group:default/team-a', system: 'shop' },
  relations: [{ type: 'partOf', targetRef: 'system:default/shop' }],
});

function snapshot(target: string, digit: string): AgentSnapshot {
  return {
    id: '20261121T010000Z',
    target,
    tier: 'local',
    createdAt: '2026-11-21T01:00:00.000Z',
    bytes: 1234,
    rawBytes: 5000,
    sha256: digit.repeat(64),
    artifacts: [
      { name: `${target}.zst`, bytes: 1234, sha256: digit.repeat(64) },
    ],
    location: `file:///backups/${target}/20261121T010000Z`,
    engine: 'postgres',
    engineVersion: '15',
    manifestVersion: 1,
  };
}

const startedAt = new Date().toISOString();
const running: AgentJob = {
  id: 'group-job-1',
  kind: 'backup',
  subject: { kind: 'group', name: 'shop-group' },
  state: 'running',
  phase: 'stopping 2 container(s)',
  bytes: 0,
  startedAt,
};

/** Answers POST /v1/backups and GET /v1/jobs/:id; the finished job is what the test gives. */
function actAsAgent(
  agent: StandInAgent,
  finished: AgentJob,
  options: { groups?: boolean } = {},
) {
  let polls = 0;
  agent.handle = (req, body, res) => {
    if (req.method === 'POST' && req.url === '/v1/backups') {
      const request = JSON.parse(body);
      if (request.group) {
        if (options.groups === false)
          return sendJson(res, 404, {
            error: `unknown group "${request.group}"; this agent has no groups`,
          });
        return sendJson(res, 202, running);
      }
      return sendJson(res, 202, {
        ...running,
        id: `job-${request.target}`,
        subject: { kind: 'target', name: request.target },
      });
    }
    if (req.method === 'GET' && req.url === '/v1/jobs/group-job-1') {
      polls++;
      return sendJson(res, 200, polls < 2 ? running : finished);
    }
    const target = /^\/v1\/jobs\/job-(.+)$/.exec(req.url ?? '')?.[1];
    if (req.method === 'GET' && target) {
      return sendJson(res, 200, {
        ...running,
        id: `job-${target}`,
        subject: { kind: 'target', name: target },
        state: 'succeeded',
        phase: 'done',
        snapshots: [snapshot(target, '7')],
        finishedAt: new Date().toISOString(),
      });
    }
    return sendJson(res, 404, { error: 'no such route' });
  };
}

async function backUpGroup(agent: StandInAgent) {
  const started = await startBackupsTestBackend({
    entities: [
      SHOP,
      member('shop-db', 'app-db'),
      member('shop-files', 'files-db'),
    ],
    agents: { 'demo-host': { url: agent.url, token: TOKEN } },
    databases,
  });
  const response: StartRunResponse = (
    await started
      .api()
      .post('/api/backups/entities/system/default/shop/runs')
      .expect(202)
  ).body;
  const finished: BackupRun[] = [];
  for (const run of response.memberRuns!) {
    finished.push(
      await started.runUntilFinished(
        run.entityRef.replace('resource:default/', 'resource/default/'),
        run.runId,
      ),
    );
  }
  await started.backend.stop();
  return { response, finished };
}

describe("consistency group backups through the agent's group job", () => {
  let agent: StandInAgent;
  beforeEach(async () => {
    agent = await startStandInAgent();
  });
  afterEach(async () => {
    await agent.close();
  });

  it('asks the agent once for the whole group, and gives each member its own snapshot and the downtime', async () => {
    actAsAgent(agent, {
      ...running,
      state: 'succeeded',
      phase: 'done',
      finishedAt: new Date(Date.parse(startedAt) + 4000).toISOString(),
      downtimeMs: 1200,
      snapshots: [snapshot('app-db', 'a'), snapshot('files-db', 'b')],
      details: {
        group: 'shop-group',
        members: [
          { target: 'app-db', state: 'stored' },
          { target: 'files-db', state: 'stored' },
        ],
      },
    });
    const { response, finished } = await backUpGroup(agent);
    const posts = agent.requests.filter(r => r.method === 'POST');
    expect(posts.map(r => JSON.parse(r.body))).toEqual([
      { group: 'shop-group' },
    ]);
    expect(
      finished.map(r => [
        r.entityRef,
        r.status,
        r.sha256,
        r.downtimeMs,
        r.groupRunId,
      ]),
    ).toEqual([
      [
        'resource:default/shop-db',
        'succeeded',
        'a'.repeat(64),
        1200,
        response.runId,
      ],
      [
        'resource:default/shop-files',
        'succeeded',
        'b'.repeat(64),
        1200,
        response.runId,
      ],
    ]);
  });

  it('never reports a member good when the group job failed', async () => {
    actAsAgent(agent, {
      ...running,
      state: 'failed',
      phase: 'done',
      finishedAt: new Date().toISOString(),
      snapshots: [snapshot('app-db', 'a')],
      details: {
        members: [
          { target: 'app-db', state: 'stored' },
          {
            target: 'files-db',
            state: 'failed',
            error: 'pg_dump: permission denied for table x',
          },
        ],
      },
      error:
        'group shop-group: target files-db failed: pg_dump: permission denied for table x',
    });
    const { finished } = await backUpGroup(agent);
    expect(finished.map(r => [r.entityRef, r.status])).toEqual([
      ['resource:default/shop-db', 'partially_failed'],
      ['resource:default/shop-files', 'failed'],
    ]);
    expect(finished[0].error).toContain(
      'not part of a complete group snapshot',
    );
    expect(finished[1].error).toContain(
      'pg_dump: permission denied for table x',
    );
  });

  it('backs the members up one by one when the agent has no such group', async () => {
    actAsAgent(agent, running, { groups: false });
    const { finished } = await backUpGroup(agent);
    const posts = agent.requests
      .filter(r => r.method === 'POST')
      .map(r => JSON.parse(r.body));
    expect(posts).toEqual(
      expect.arrayContaining([
        { group: 'shop-group' },
        { target: 'app-db' },
        { target: 'files-db' },
      ]),
    );
    expect(finished.map(r => r.status)).toEqual(['succeeded', 'succeeded']);
  });
});
