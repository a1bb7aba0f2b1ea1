import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { backupsPermissions } from '@safekeep/plugin-backups-common';
import { AgentRegistry } from './agent/AgentRegistry';
import { RunAggregates } from './aggregates/RunAggregates';
import { readBackupsConfig } from './config/readBackupsConfig';
import { DatabaseBackupsStore } from './runs/DatabaseBackupsStore';
import { DatabaseIncidentsStore } from './incidents/DatabaseIncidentsStore';
import { DatabasePrunesStore } from './retention/DatabasePrunesStore';
import { GroupRunsStore } from './groups/GroupRunsStore';
import { RunExecutor } from './runs/RunExecutor';
import { BackupMetrics } from './metrics/BackupMetrics';
import { ConsistencyGroups } from './groups/ConsistencyGroups';
import { consistencyGroupOf } from './groups/consistencyGroup';
import { GroupBackupStarter } from './groups/GroupBackupStarter';
import { TeamOverviewService } from './overview/TeamOverviewService';
import { CatalogPolicyReader } from './policies/CatalogPolicyReader';
import { registerRestores } from './restores/registerRestores';
import { IncidentMonitor } from './incidents/IncidentMonitor';
import { IncidentNotifier } from './incidents/IncidentNotifier';
import { RetentionPruner } from './retention/RetentionPruner';
import { registerBackupTasks } from './scheduling/registerBackupTasks';
import { ScheduleDispatcher } from './scheduling/ScheduleDispatcher';
import { SizesService } from './sizes/SizesService';
import { TargetsService } from './targets/TargetsService';
import { EntityBackupsService } from './entities/EntityBackupsService';
import { createRouter } from './router';

/**
 * Safekeep's backend plugin: reads backup policies from catalog annotations, queues
 * scheduled and requested runs, has host agents carry them out, and serves their state.
 */
export const backupsPlugin = createBackendPlugin({
  pluginId: 'backups',
  register(env) {
    env.registerInit({
      deps: {
        rootConfig: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const config = readBackupsConfig(deps.rootConfig);
        deps.permissionsRegistry.addPermissions(backupsPermissions);

        const agents = new AgentRegistry(config);
        if (agents.names().length === 0) {
          deps.logger.warn(
            'No agents in app-config backups.agents: no backups can run until one is added',
          );
        }
        const store = await DatabaseBackupsStore.create({
          database: deps.database,
          secrets: agents.secrets(),
        });
        const policies = new CatalogPolicyReader(deps.catalog, deps.auth, {
          agentNames: agents.names(),
          defaultTimeZone: config.defaultTimeZone,
        });
        const restores = await registerRestores({
          ...deps,
          config,
          agents,
          policies,
        });

        const pruner = new RetentionPruner({
          prunes: new DatabasePrunesStore(
            await deps.database.getClient(),
            agents.secrets(),
          ),
          runs: store,
          agents,
          policyOf: async entityRef =>
            (await policies.readOneAsPlugin(entityRef))?.result,
          logger: deps.logger,
        });
        const knex = await deps.database.getClient();
        const aggregates = new RunAggregates(knex);
        const backupMetrics = new BackupMetrics();
        const groupRuns = new GroupRunsStore(knex);
        const incidentMonitor = new IncidentMonitor({
          policies,
          aggregates,
          incidents: new DatabaseIncidentsStore(knex),
          notifier: new IncidentNotifier({
            notifications: deps.notifications,
            auditor: deps.auditor,
            logger: deps.logger,
          }),
          logger: deps.logger,
          dispatchIntervalMs: config.dispatchIntervalSeconds * 1000,
          observeFacts: facts => backupMetrics.observeFacts(facts),
        });
        await registerBackupTasks({
          scheduler: deps.scheduler,
          dispatcher: new ScheduleDispatcher({
            policies,
            store,
            logger: deps.logger,
          }),
          executor: new RunExecutor({
            store,
            agents,
            logger: deps.logger,
            groupStarter: new GroupBackupStarter({
              runs: store,
              groupRuns,
              agents,
              groupNameOf: async systemRef => {
                const system = await policies.readOneAsPlugin(systemRef);
                return system ? consistencyGroupOf(system.entity) : undefined;
              },
              logger: deps.logger,
            }),
            onFinished: [
              run => pruner.planAfterSuccess(run).then(() => undefined),
              run => backupMetrics.recordFinished(run),
            ],
          }),
          pruner,
          followUps: [incidentMonitor],
          dispatchIntervalSeconds: config.dispatchIntervalSeconds,
        });

        const groups = new ConsistencyGroups({
          policies,
          aggregates,
          groupRuns,
          permissions: deps.permissions,
          dispatchIntervalMs: config.dispatchIntervalSeconds * 1000,
        });
        const service = new EntityBackupsService({
          store,
          policies,
          groups,
          dispatchIntervalMs: config.dispatchIntervalSeconds * 1000,
          restoreFacts: restores.store,
        });
        const overview = new TeamOverviewService({
          policies,
          aggregates,
          permissions: deps.permissions,
          dispatchIntervalMs: config.dispatchIntervalSeconds * 1000,
          restoreFacts: restores.store,
        });
        const sizes = new SizesService({ policies, aggregates });
        const targets = new TargetsService({
          policies,
          aggregates,
          permissions: deps.permissions,
          dispatchIntervalMs: config.dispatchIntervalSeconds * 1000,
        });
        deps.httpRouter.use(
          await createRouter({
            service,
            overview,
            sizes,
            targets,
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
