import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { backupsPermissions } from '@safekeep/plugin-backups-common';
import { AgentRegistry } from './agent/AgentRegistry';
import { BackupsDatabase } from './BackupsDatabase';
import { readBackupsConfig } from './config/readBackupsConfig';
import { CatalogPolicyReader } from './policies/CatalogPolicyReader';
import { registerBackups } from './registerBackups';
import { registerRestores } from './restores/registerRestores';
import { createApiServices, createRouter } from './router';

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
        const db = await BackupsDatabase.create({
          database: deps.database,
          secrets: agents.secrets(),
        });
        const policies = new CatalogPolicyReader(deps.catalog, deps.auth, {
          agentNames: agents.names(),
          defaultTimeZone: config.defaultTimeZone,
        });
        await registerBackups({ ...deps, config, db, agents, policies });
        await registerRestores({
          ...deps,
          config,
          agents,
          policies,
          store: db.restores,
        });

        deps.httpRouter.use(
          await createRouter({
            ...createApiServices({ ...deps, config, db, policies }),
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
