/* eslint-disable @backstage/no-undeclared-imports */
// Test-only helper (never imported by the plugin itself), so its imports are devDependencies.
import {
  createServiceFactory,
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { JsonObject } from '@backstage/config';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  notificationService,
  NotificationSendOptions,
} from '@backstage/plugin-notifications-node';
import type {
  BackupRun,
  RestoreRequest,
  RunsPage,
} from '@safekeep/plugin-backups-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { backupsPlugin } from '../plugin';
import { RUNNER_TASK_ID } from '../scheduling/registerBackupTasks';
import {
  RESTORE_DRILL_TASK_ID,
  RESTORE_RUNNER_TASK_ID,
} from '../restores/registerRestoreTasks';

type MockScheduler = SchedulerService & {
  factory(): ServiceFactory<SchedulerService, 'plugin', 'singleton'>;
};

export const ANN = 'user:default/ann';
export const BOB = 'user:default/bob';
/** Holds every permission but backups.restore.approve. */
export const CARL = 'user:default/carl';
/** May not read the backups of resource:default/app-db; everything else is allowed. */
export const EVE = 'user:default/eve';
/** May approve restores, but not restores into app-db-staging. */
export const FRED = 'user:default/fred';

export const as = (user: string) => mockCredentials.user.header(user);

/**
 * Permissions as a policy would give them: everyone may do everything, except Carl approving,
 * Eve reading app-db, Eve restoring into app-db-staging and Fred approving restores into it.
 */
const permissions = mockServices.permissions.mock({
  authorize: async (requests, options) => {
    const principal = options?.credentials?.principal as
      | { userEntityRef?: string }
      | undefined;
    const user = principal?.userEntityRef;
    return requests.map(r => {
      const resourceRef = (r as { resourceRef?: string }).resourceRef;
      const denied =
        (r.permission.name === 'backups.restore.approve' && user === CARL) ||
        (r.permission.name === 'backups.read' &&
          user === EVE &&
          resourceRef === 'resource:default/app-db') ||
        (r.permission.name === 'backups.restore.request' &&
          user === EVE &&
          resourceRef === 'resource:default/app-db-staging') ||
        (r.permission.name === 'backups.restore.approve' &&
          user === FRED &&
          resourceRef === 'resource:default/app-db-staging');
      return { result: denied ? AuthorizeResult.DENY : AuthorizeResult.ALLOW };
    }) as any;
  },
});

/** Starts the plugin with a real agent, a catalog of `entities`, and recorded notifications. */
export async function startRestoreTestBackend(options: {
  entities: Entity[];
  agentUrl: string;
  agentToken: string;
  /** From TestDatabases.create() at the test file's top level (it registers hooks). */
  knex: Knex;
  /** `backups.restores` settings. */
  restores?: JsonObject;
  /** `backups.verify` settings (scheduled verify per tier). */
  verify?: JsonObject;
  features?: ServiceFactory[];
}) {
  const scheduler = mockServices.scheduler() as MockScheduler;
  const { knex } = options;
  const sent: NotificationSendOptions[] = [];
  const backend = await startTestBackend({
    features: [
      backupsPlugin,
      mockServices.rootConfig.factory({
        data: {
          backups: {
            agents: {
              'demo-host': { url: options.agentUrl, token: options.agentToken },
            },
            dispatchIntervalSeconds: 15,
            ...(options.restores ? { restores: options.restores } : {}),
            ...(options.verify ? { verify: options.verify } : {}),
          },
        },
      }),
      catalogServiceMock.factory({ entities: options.entities }),
      scheduler.factory(),
      mockServices.database.factory({ knex }),
      permissions.factory,
      createServiceFactory({
        service: notificationService,
        deps: {},
        factory: () => ({
          send: async (notification: NotificationSendOptions) => {
            sent.push(notification);
          },
        }),
      }),
      ...(options.features ?? []),
    ],
  });
  const api = () => request(backend.server);

  async function tick(
    taskId: string,
    done: () => Promise<boolean>,
    what: string,
  ): Promise<void> {
    for (let i = 0; i < 300; i++) {
      await scheduler.triggerTask(taskId);
      if (await done()) return;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** Backs the entity up now through the real agent and returns the finished run. */
  async function backUp(entityPath: string): Promise<BackupRun> {
    const started = await api()
      .post(`/api/backups/entities/${entityPath}/runs`)
      .set('Authorization', as(ANN))
      .expect(202);
    let run: BackupRun | undefined;
    await tick(
      RUNNER_TASK_ID,
      async () => {
        const page: RunsPage = (
          await api()
            .get(`/api/backups/entities/${entityPath}/runs?limit=100`)
            .expect(200)
        ).body;
        run = page.items.find(
          r =>
            r.id === started.body.runId &&
            !['queued', 'running'].includes(r.status),
        );
        return Boolean(run);
      },
      `backup of ${entityPath}`,
    );
    if (run!.status !== 'succeeded')
      throw new Error(`backup of ${entityPath} ${run!.status}: ${run!.error}`);
    return run!;
  }

  async function getRestore(id: string): Promise<RestoreRequest> {
    return (
      await api()
        .get(`/api/backups/restores/${id}`)
        .set('Authorization', as(ANN))
        .expect(200)
    ).body;
  }

  /** Ticks the restore runner until the request has finished (or left `approved`/`running`). */
  async function runRestore(id: string): Promise<RestoreRequest> {
    let current: RestoreRequest | undefined;
    await tick(
      RESTORE_RUNNER_TASK_ID,
      async () => {
        current = await getRestore(id);
        return !['approved', 'running'].includes(current.status);
      },
      `restore ${id}`,
    );
    return current!;
  }

  const dispatchDrills = () => scheduler.triggerTask(RESTORE_DRILL_TASK_ID);
  const tickRestores = () => scheduler.triggerTask(RESTORE_RUNNER_TASK_ID);

  return {
    backend,
    api,
    /** Runs one of the plugin's scheduler tasks now. */
    triggerTask: (taskId: string) => scheduler.triggerTask(taskId),
    knex,
    sent,
    backUp,
    getRestore,
    runRestore,
    dispatchDrills,
    tickRestores,
  };
}
