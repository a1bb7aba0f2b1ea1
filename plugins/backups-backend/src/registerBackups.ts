import type {
  AuditorService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { AgentRegistry } from './agent/AgentRegistry';
import type { BackupsDatabase } from './BackupsDatabase';
import type { BackupsConfig } from './config/readBackupsConfig';
import { consistencyGroupOf } from './groups/consistencyGroup';
import { GroupBackupStarter } from './groups/GroupBackupStarter';
import { IncidentMonitor } from './incidents/IncidentMonitor';
import { IncidentNotifier } from './incidents/IncidentNotifier';
import { BackupMetrics } from './metrics/BackupMetrics';
import type { CatalogPolicyReader } from './policies/CatalogPolicyReader';
import { RetentionPruner } from './retention/RetentionPruner';
import { RunExecutor } from './runs/RunExecutor';
import { registerBackupTasks } from './scheduling/registerBackupTasks';
import { ScheduleDispatcher } from './scheduling/ScheduleDispatcher';
import { ownerRefOf } from './policies/ownerRef';
import { registerVerifyTask } from './verify/registerVerifyTask';
import { VerifyScheduler } from './verify/VerifyScheduler';

/**
 * Wires the backup side into the scheduler: the dispatcher queues due slots and then checks
 * for incidents; the runner starts and follows runs (a consistency group's members as one
 * agent job), and after each success retention prunes and the metrics count it.
 */
export async function registerBackups(deps: {
  config: BackupsConfig;
  db: BackupsDatabase;
  agents: AgentRegistry;
  policies: CatalogPolicyReader;
  scheduler: SchedulerService;
  logger: LoggerService;
  auditor: AuditorService;
  notifications: NotificationService;
}): Promise<void> {
  const { config, db, agents, policies, logger } = deps;
  const metrics = new BackupMetrics();
  const pruner = new RetentionPruner({
    prunes: db.prunes,
    runs: db.runs,
    agents,
    policyOf: async entityRef =>
      (await policies.readOneAsPlugin(entityRef))?.result,
    logger,
    failedVerify: (agent, target, tier) =>
      db.verifications.failedSnapshotIds(agent, target, tier),
  });
  const groupStarter = new GroupBackupStarter({
    runs: db.runs,
    groupRuns: db.groupRuns,
    agents,
    groupNameOf: async systemRef => {
      const system = await policies.readOneAsPlugin(systemRef);
      return system ? consistencyGroupOf(system.entity) : undefined;
    },
    logger,
  });
  const incidents = new IncidentMonitor({
    policies,
    aggregates: db.aggregates,
    incidents: db.incidents,
    notifier: new IncidentNotifier({
      notifications: deps.notifications,
      auditor: deps.auditor,
      logger,
    }),
    logger,
    dispatchIntervalMs: config.dispatchIntervalSeconds * 1000,
    observeFacts: facts => metrics.observeFacts(facts),
  });
  await registerBackupTasks({
    scheduler: deps.scheduler,
    dispatcher: new ScheduleDispatcher({
      policies,
      store: db.runs,
      logger,
      dispatchIntervalMs: config.dispatchIntervalSeconds * 1000,
    }),
    executor: new RunExecutor({
      store: db.runs,
      agents,
      logger,
      groupStarter,
      onFinished: [
        run => pruner.planAfterSuccess(run).then(() => undefined),
        run => metrics.recordFinished(run),
      ],
    }),
    pruner,
    followUps: [incidents],
    dispatchIntervalSeconds: config.dispatchIntervalSeconds,
  });
  if (config.verify && Object.keys(config.verify).length > 0)
    await registerVerifyTask({
      scheduler: deps.scheduler,
      intervalSeconds: config.dispatchIntervalSeconds,
      verifier: new VerifyScheduler({
        tiers: config.verify,
        policies,
        store: db.verifications,
        agents,
        notifications: deps.notifications,
        ownerOf: async entityRef => {
          const found = await policies.readOneAsPlugin(entityRef);
          return found ? ownerRefOf(found.entity) : undefined;
        },
        logger,
      }),
    });
}
