import type { LoggerService } from '@backstage/backend-plugin-api';
import type { BackupsStore, StoredRun } from '../runs/BackupsStore';
import type { ConfiguredPolicy } from '../policies/CatalogPolicyReader';
import { formatDuration, RunCatchUp } from '@safekeep/plugin-backups-common';
import { catchUpOf } from './catchUpOf';
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
      /** How often dispatch runs: a slot queued later than this (plus grace) is late. */
      dispatchIntervalMs?: number;
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
        const previousSlot = await store.getLatestScheduledSlot(entityRef);
        const slot = dueSlot(policy.schedule, now, previousSlot);
        if (!slot) continue;
        // A run of this target is queued or running: the slot waits (shown late) and is caught
        // up by one run once it ends. The database refuses a second active run anyway.
        if (await store.findActiveRun(policy.agent, policy.target)) continue;
        // Slots missed while the backend was down (or the target busy) get one run, the
        // latest; the run records what it catches up and whether the RPO was held.
        const catchUp = catchUpOf({
          schedule: policy.schedule,
          slot,
          now,
          previousSlot,
          lastSuccessAt: await this.lastSuccessAt(entityRef),
          rpoMs: policy.rpoMs,
          dispatchIntervalMs: this.options.dispatchIntervalMs ?? 30_000,
        });
        const run = await store.createScheduledRun({
          entityRef,
          agent: policy.agent,
          target: policy.target,
          scheduledFor: slot,
          now,
          ...(catchUp ? { catchUp } : {}),
        });
        if (run) {
          created.push(run);
          logger.info(
            `Queued scheduled backup of ${entityRef} for ${slot.toISOString()} (run ${
              run.id
            })`,
          );
          if (catchUp) logger.warn(describeCatchUp(entityRef, catchUp));
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

  private async lastSuccessAt(entityRef: string): Promise<Date | undefined> {
    const { lastSuccess } = await this.options.store.getEntityRunFacts(
      entityRef,
    );
    return lastSuccess?.finishedAt
      ? new Date(lastSuccess.finishedAt)
      : undefined;
  }
}

/** For the log: a catch-up in one sentence. */
export function describeCatchUp(
  entityRef: string,
  catchUp: RunCatchUp,
): string {
  const missed = catchUp.missedSlots
    ? `${catchUp.missedSlots} slot(s) missed since ${catchUp.firstMissedSlot}`
    : 'its slot passed';
  const rpo =
    catchUp.rpoMs === null || catchUp.sinceLastSuccessMs === null
      ? ''
      : `; the last success is ${formatDuration(
          catchUp.sinceLastSuccessMs,
        )} old, ${
          catchUp.rpoExceeded ? 'more' : 'less'
        } than the RPO of ${formatDuration(catchUp.rpoMs)}`;
  return `Catching up the scheduled backup of ${entityRef} with one run, queued ${formatDuration(
    catchUp.lateMs,
  )} after its slot: ${missed}${rpo}`;
}
