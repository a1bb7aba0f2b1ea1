import fs from 'node:fs';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  NotificationSendOptions,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { migrateBackupsDatabase } from '../database/migrateBackupsDatabase';
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

function resource(
  name: string,
  owner: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'safekeep.io/agent': 'demo-host', ...annotations },
    },
    spec: { type: 'database', owner },
  };
}

/** Backstage notifications, faked at their service boundary: what the plugin asked to send. */
function fakeNotifications(options: { failFirst?: number } = {}) {
  const sent: NotificationSendOptions[] = [];
  let failures = options.failFirst ?? 0;
  const factory = createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({
      async send(notification: NotificationSendOptions) {
        if (failures > 0) {
          failures--;
          throw new Error('notifications backend unavailable');
        }
        sent.push(notification);
      },
    }),
  });
  const summary = () =>
    sent.map(n => [
      n.recipients.type === 'entity' ? n.recipients.entityRef : 'broadcast',
      n.payload.title,
      n.payload.severity,
    ]);
  return { sent, factory, summary };
}

describe('incident notifications', () => {
  it('tells the owner once when backups fail, and once when they recover (real agent)', async () => {
    const notifications = fakeNotifications();
    const event = {
      success: jest.fn(async () => undefined),
      fail: jest.fn(async () => undefined),
    };
    const auditor = mockServices.auditor.mock({
      createEvent: async () => event,
    });
    const { api, backend, runUntilFinished, dispatch } =
      await startBackupsTestBackend({
        entities: [
          resource('app-db', 'team-a', { 'safekeep.io/target': 'app-db' }),
        ],
        agents: { 'demo-host': { url: agent.server.url, token: AGENT_TOKEN } },
        databases,
        features: [notifications.factory, auditor.factory],
      });
    const backUp = async () => {
      const started = await api()
        .post('/api/backups/entities/resource/default/app-db/runs')
        .expect(202);
      return runUntilFinished('resource/default/app-db', started.body.runId);
    };

    // The database file is gone: the agent's dump fails.
    const hidden = `${agent.databaseFile}.hidden`;
    fs.renameSync(agent.databaseFile, hidden);
    try {
      expect((await backUp()).status).toBe('failed');
    } finally {
      fs.renameSync(hidden, agent.databaseFile);
    }
    await dispatch();
    await dispatch();
    expect(notifications.summary()).toEqual([
      [
        'group:default/team-a',
        'Backups are failing: resource:default/app-db',
        'high',
      ],
    ]);
    expect(notifications.sent[0].payload).toMatchObject({
      topic: 'backups',
      link: '/catalog/default/resource/app-db',
      description: expect.stringContaining('ended failed'),
    });
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'backup-notification-send',
        meta: expect.objectContaining({
          entityRef: 'resource:default/app-db',
          notice: 'opened',
          recipient: 'group:default/team-a',
        }),
      }),
    );

    expect((await backUp()).status).toBe('succeeded');
    await dispatch();
    await dispatch();
    expect(notifications.summary()).toEqual([
      [
        'group:default/team-a',
        'Backups are failing: resource:default/app-db',
        'high',
      ],
      [
        'group:default/team-a',
        'Backups succeed again: resource:default/app-db',
        'normal',
      ],
    ]);

    // A new failure is a new incident: one more notice.
    fs.renameSync(agent.databaseFile, hidden);
    try {
      expect((await backUp()).status).toBe('failed');
    } finally {
      fs.renameSync(hidden, agent.databaseFile);
    }
    await dispatch();
    expect(notifications.sent).toHaveLength(3);
    await backend.stop();
  });

  it('tells the owner when backups go stale, and retries a notice that could not be sent', async () => {
    const knex = await databases.init('SQLITE_3');
    await migrateBackupsDatabase(knex);
    const finished = new Date(Date.now() - 3 * 86_400_000);
    await knex('backup_runs').insert({
      id: 'old-success',
      entity_ref: 'resource:default/orders-db',
      agent: 'demo-host',
      target: 'orders',
      status: 'succeeded',
      trigger: 'user',
      created_at: finished,
      started_at: finished,
      finished_at: finished,
      bytes_stored: 1000,
      updated_at: finished,
    });
    const notifications = fakeNotifications({ failFirst: 1 });
    // Starting the backend runs the dispatcher task once: the notice fails to go out.
    const { backend, dispatch } = await startBackupsTestBackend({
      entities: [
        resource('orders-db', 'group:default/team-b', {
          'safekeep.io/target': 'orders',
          'safekeep.io/rpo': '26h',
        }),
      ],
      agents: { 'demo-host': { url: agent.server.url, token: AGENT_TOKEN } },
      databases,
      knex,
      features: [notifications.factory],
    });
    expect(notifications.sent).toEqual([]);
    await dispatch();
    await dispatch();
    expect(notifications.summary()).toEqual([
      [
        'group:default/team-b',
        'Backups are stale: resource:default/orders-db',
        'high',
      ],
    ]);
    expect(notifications.sent[0].payload.description).toContain(
      'more than the RPO of 1d2h',
    );
    const incidents = await knex('backup_incidents').select(
      'entity_ref',
      'kind',
      'closed_at',
    );
    expect(incidents).toEqual([
      {
        entity_ref: 'resource:default/orders-db',
        kind: 'stale',
        closed_at: null,
      },
    ]);
    await backend.stop();
  });
});
