/* eslint-disable @backstage/no-undeclared-imports */
// Test-only helper (never imported by the plugin itself), so its imports are devDependencies.
import type {
  SchedulerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { BackupRun, RunsPage } from '@safekeep/plugin-backups-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { backupsPlugin } from '../plugin';
import {
  DISPATCH_TASK_ID,
  RUNNER_TASK_ID,
} from '../scheduling/registerBackupTasks';

/** The test-utils scheduler runs tasks only when triggered, so tests drive the tasks. */
type MockScheduler = SchedulerService & {
  factory(): ServiceFactory<SchedulerService, 'plugin', 'singleton'>;
};

export interface TestBackendOptions {
  entities: Entity[];
  /** Agents by name: url and token. */
  agents: Record<string, { url: string; token: string }>;
  knex?: Knex;
  /** Created at a test file's top level (TestDatabases registers jest hooks). */
  databases: TestDatabases;
  deny?: boolean;
  features?: ServiceFactory[];
  dispatchIntervalSeconds?: number;
}

/** Starts the plugin in a test backend with the catalog holding `entities`. */
export async function startBackupsTestBackend(options: TestBackendOptions) {
  const scheduler = mockServices.scheduler() as MockScheduler;
  const knex = options.knex ?? (await options.databases.init('SQLITE_3'));
  const backend = await startTestBackend({
    features: [
      backupsPlugin,
      mockServices.rootConfig.factory({
        data: {
          backups: {
            agents: options.agents,
            dispatchIntervalSeconds: options.dispatchIntervalSeconds ?? 15,
          },
        },
      }),
      catalogServiceMock.factory({ entities: options.entities }),
      scheduler.factory(),
      mockServices.database.factory({ knex }),
      ...(options.deny
        ? [mockServices.permissions.factory({ result: AuthorizeResult.DENY })]
        : []),
      ...(options.features ?? []),
    ],
  });
  const api = () => request(backend.server);

  async function runs(entityPath: string): Promise<BackupRun[]> {
    const page: RunsPage = (
      await api()
        .get(`/api/backups/entities/${entityPath}/runs?limit=100`)
        .expect(200)
    ).body;
    return page.items;
  }

  /** Ticks the runner (runs and prunes) until `done` says so, as the 2-second task would. */
  async function tickRunnerUntil(
    done: () => Promise<boolean>,
    what: string,
  ): Promise<void> {
    for (let i = 0; i < 300; i++) {
      await scheduler.triggerTask(RUNNER_TASK_ID);
      if (await done()) return;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async function runUntilFinished(
    entityPath: string,
    runId: string,
  ): Promise<BackupRun> {
    let finished: BackupRun | undefined;
    await tickRunnerUntil(async () => {
      const run = (await runs(entityPath)).find(r => r.id === runId);
      finished =
        run && !['queued', 'running'].includes(run.status) ? run : undefined;
      return Boolean(finished);
    }, `run ${runId}`);
    return finished!;
  }

  return {
    backend,
    api,
    knex,
    scheduler,
    runs,
    runUntilFinished,
    tickRunnerUntil,
    dispatch: () => scheduler.triggerTask(DISPATCH_TASK_ID),
  };
}
