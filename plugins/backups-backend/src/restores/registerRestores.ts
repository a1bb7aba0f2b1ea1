import type {
  AuditorService,
  AuthService,
  HttpAuthService,
  HttpRouterService,
  LoggerService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { AgentRegistry } from '../agent/AgentRegistry';
import type { BackupsConfig } from '../config/readBackupsConfig';
import type { CatalogPolicyReader } from '../policies/CatalogPolicyReader';
import { restoresConfigSchema } from '../config/restoresConfigSchema';
import { RestoreDrillDispatcher } from './RestoreDrillDispatcher';
import { RestoreExecutor } from './RestoreExecutor';
import { RestoreNotifier } from './RestoreNotifier';
import { registerRestoreTasks } from './registerRestoreTasks';
import { createRestoresRouter } from './restoresRouter';
import { ownerRefOf } from '../policies/ownerRef';
import { RestoreRequestService } from './RestoreRequestService';
import type { RestoresStore } from './RestoresStore';

/**
 * Wires restores into the plugin: the request service and its routes, the restore runner
 * and the drill dispatcher.
 */
export async function registerRestores(deps: {
  config: BackupsConfig;
  agents: AgentRegistry;
  policies: Pick<CatalogPolicyReader, 'readConfigured'>;
  /** The plugin database's restore store (BackupsDatabase.restores). */
  store: RestoresStore;
  scheduler: SchedulerService;
  httpRouter: HttpRouterService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  catalog: CatalogService;
  notifications?: NotificationService;
}): Promise<void> {
  const { config, agents, logger, catalog, auth } = deps;
  const settings = config.restores ?? restoresConfigSchema.parse(undefined);
  const { store } = deps;
  const notifier = new RestoreNotifier({
    notifications: deps.notifications,
    logger,
    approvers: settings.approvers,
  });
  const ownerOf = async (entityRef: string) => {
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    return entity ? ownerRefOf(entity) : undefined;
  };

  await registerRestoreTasks({
    scheduler: deps.scheduler,
    executor: new RestoreExecutor({
      store,
      agents,
      logger,
      notifier,
      auditor: deps.auditor,
      ownerOf,
    }),
    drills: new RestoreDrillDispatcher({
      store,
      agents,
      policies: deps.policies,
      logger,
      expireAfterHours: settings.expireAfterHours,
    }),
    dispatchIntervalSeconds: config.dispatchIntervalSeconds,
  });

  const service = new RestoreRequestService({
    store,
    agents,
    catalog,
    policyContext: {
      agentNames: agents.names(),
      defaultTimeZone: config.defaultTimeZone,
    },
    notifier,
    settings,
  });
  deps.httpRouter.use(
    await createRestoresRouter({
      service,
      httpAuth: deps.httpAuth,
      permissions: deps.permissions,
      auditor: deps.auditor,
    }),
  );
}
