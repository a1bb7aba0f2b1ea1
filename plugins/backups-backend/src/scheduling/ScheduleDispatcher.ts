import type { LoggerService } from '@backstage/backend-plugin-api';
import type { BackupsStore, StoredRun } from '../runs/BackupsStore';
import type { ConfiguredPolicy } from '../policies/CatalogPolicyReader';
import { dueSlot } from './dueSlot';

export interface PolicySource {
  readConfigured(): Promise<ConfiguredPolicy[]>;
}

/**
 * Creates the queued runs of due schedule slots. Runs as one global scheduler task; the
 * unique (entity, slot) index still makes a second replica's insert a no-op.
 */
export class ScheduleDispatcher {
  constructor(
    private readonly options: {
      policies: PolicySource;
      store: BackupsStore;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  async dispatch(): Promise<StoredRun[]> {
    const { policies, store, logger } = this.options;
    const now = this.options.now?.() ?? new Date();
    // Read once per tick: catalog changes count from the next tick, without a restart.
    const configured = await policies.readConfigured();
    const created: StoredRun[] = [];
    for (const { entityRef, policy } of configured) {
      if (!policy.schedule) continue;
      try {
        const slot = dueSlot(
          policy.schedule,
          now,
          await store.getLatestScheduledSlot(entityRef),
        );
        if (!slot) continue;
        // A run of this target is queued or running: the slot waits (shown late) and is caught
        // up by one run once it ends. The database refuses a second active run anyway.
        if (await store.findActiveRun(policy.agent, policy.target)) continue;
        const run = await store.createScheduledRun({
          entityRef,
          agent: policy.agent,
          target: policy.target,
          scheduledFor: slot,
          now,
        });
        if (run) {
          created.push(run);
          logger.info(
            `Queued scheduled backup of ${entityRef} for ${slot.toISOString()} (run ${
              run.id
            })`,
          );
        }
      } catch (error) {
        // One entity's trouble must not stop the others' backups.
        logger.error(
          `Could not dispatch the scheduled backup of ${entityRef}`,
          error as Error,
        );
      }
    }
    return created;
  }
}
