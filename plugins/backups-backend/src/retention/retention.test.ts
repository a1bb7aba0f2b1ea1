import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AGENT_TOKEN, RealAgent, startRealAgent } from '../testing/realAgent';
import { startBackupsTestBackend } from '../testing/testBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
let agent: RealAgent;

beforeAll(async () => {
  agent = await startRealAgent();
});

afterAll(async () => {
  await agent?.close();
});

function appDb(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: 'app-db',
      namespace: 'default',
      annotations: {
        'safekeep.io/agent': 'demo-host',
        'safekeep.io/target': 'app-db',
        ...annotations,
      },
    },
    spec: { type: 'database', owner: 'group:default/team-a' },
  };
}

interface PruneRow {
  run_id: string;
  tier: string;
  status: string;
  pruned: string | null;
  retention_annotation: string;
  error: string | null;
}

describe('retention after successful runs (real agent)', () => {
  it('prunes the local tier per safekeep.io/retention and records what was removed', async () => {
    const { api, backend, knex, runUntilFinished, tickRunnerUntil } =
      await startBackupsTestBackend({
        entities: [appDb({ 'safekeep.io/retention': 'keep-last=1' })],
        agents: { 'demo-host': { url: agent.server.url, token: AGENT_TOKEN } },
        databases,
      });
    const prunesOf = (runId: string) =>
      knex<PruneRow>('backup_prunes').where({ run_id: runId });
    const backUp = async () => {
      const started = await api()
        .post('/api/backups/entities/resource/default/app-db/runs')
        .expect(202);
      const run = await runUntilFinished(
        'resource/default/app-db',
        started.body.runId,
      );
      expect(run.status).toBe('succeeded');
      // The prune follows the run; wait until the agent has done it.
      await tickRunnerUntil(
        async () =>
          (
            await prunesOf(run.id)
          ).every(p => ['succeeded', 'failed'].includes(p.status)),
        'prune',
      );
      return run;
    };

    const first = await backUp();
    const firstDir = fileURLToPath(first.location!);
    expect(await prunesOf(first.id)).toEqual([
      expect.objectContaining({
        tier: 'local',
        status: 'succeeded',
        pruned: '[]',
        retention_annotation: 'safekeep.io/retention',
      }),
    ]);
    expect(fs.existsSync(firstDir)).toBe(true);

    const second = await backUp();
    const [prune] = await prunesOf(second.id);
    expect(prune).toMatchObject({
      tier: 'local',
      status: 'succeeded',
      error: null,
    });
    // The agent removed the first snapshot and said so; the second one stays.
    expect(JSON.parse(prune.pruned!)).toEqual([first.snapshotId]);
    expect(fs.existsSync(firstDir)).toBe(false);
    expect(fs.existsSync(fileURLToPath(second.location!))).toBe(true);
    await backend.stop();
  });

  it('records a prune it cannot ask for as failed, without failing the run', async () => {
    const { api, backend, knex, runUntilFinished } =
      await startBackupsTestBackend({
        // The test agent stores app-db in one tier only ("local").
        entities: [
          appDb({
            'safekeep.io/retention': 'keep-last=5',
            'safekeep.io/retention-offsite': 'keep-daily=30',
          }),
        ],
        agents: { 'demo-host': { url: agent.server.url, token: AGENT_TOKEN } },
        databases,
      });
    const started = await api()
      .post('/api/backups/entities/resource/default/app-db/runs')
      .expect(202);
    const run = await runUntilFinished(
      'resource/default/app-db',
      started.body.runId,
    );
    expect(run.status).toBe('succeeded');
    const prunes = await knex<PruneRow>('backup_prunes')
      .where({ run_id: run.id })
      .orderBy('retention_annotation');
    expect(prunes.map(p => [p.retention_annotation, p.status])).toEqual([
      [
        'safekeep.io/retention',
        expect.stringMatching(/pending|running|succeeded/),
      ],
      ['safekeep.io/retention-offsite', 'failed'],
    ]);
    expect(prunes[1].error).toContain('stored this backup in local only');
    await backend.stop();
  });
});
