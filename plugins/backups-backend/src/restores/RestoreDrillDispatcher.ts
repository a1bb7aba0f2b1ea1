import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  previousScheduledTime,
  RestorePreview,
} from '@safekeep/plugin-backups-common';
import type { ConfiguredPolicy } from '../policies/CatalogPolicyReader';
import type { RestoreAgents } from '../agent/RestoreAgent';
import type { RestoresStore, StoredRestore } from './RestoresStore';

/**
 * A drill may overwrite its scratch destination only when a previous drill put data there and
 * left it: the first drill into a destination that holds data is refused by the agent, so a
 * drill target that points at live data never overwrites it. Once the agent dropped the
 * scratch, whatever is there later is not a drill's.
 */
export function drillMayOverwrite(
  previous: StoredRestore | undefined,
  destination: string,
): boolean {
  if (!previous || previous.destination.path !== destination) return false;
  const scratch = previous.check?.details?.scratch as
    | { removed?: unknown }
    | undefined;
  if (scratch?.removed === true) return false;
  return (
    previous.status === 'succeeded' ||
    (previous.status === 'failed' && previous.check !== null)
  );
}

/**
 * Queues restore drills: for every policy with `safekeep.io/restore-drill`, the latest due
 * slot gets one drill (a unique index makes a second replica's insert a no-op) that restores
 * the target's newest snapshot into its scratch destination. Drills need no approval.
 */
export class RestoreDrillDispatcher {
  constructor(
    private readonly options: {
      store: RestoresStore;
      agents: RestoreAgents;
      policies: { readConfigured(): Promise<ConfiguredPolicy[]> };
      logger: LoggerService;
      expireAfterHours: number;
      now?: () => Date;
    },
  ) {}

  async dispatch(): Promise<void> {
    const { store, logger } = this.options;
    const now = this.options.now?.() ?? new Date();
    const withDrills = (await this.options.policies.readConfigured()).filter(
      p => p.policy.restoreDrill,
    );
    await store.syncDrillSchedules(
      withDrills.map(({ entityRef, policy }) => ({
        entityRef,
        cron: policy.restoreDrill!.schedule.cron,
        timeZone: policy.restoreDrill!.schedule.timeZone,
        source: policy.restoreDrill!.schedule.source,
        destination: policy.restoreDrill!.destination,
      })),
      now,
    );
    for (const configured of withDrills) {
      try {
        await this.dispatchOne(configured, now);
      } catch (error) {
        logger.warn(
          `Could not queue the restore drill of ${configured.entityRef}: ${
            (error as Error).message
          }`,
        );
      }
    }
  }

  private async dispatchOne(
    { entityRef, policy }: ConfiguredPolicy,
    now: Date,
  ): Promise<void> {
    const { store, logger } = this.options;
    const drill = policy.restoreDrill!;
    const slot = previousScheduledTime(drill.schedule, now);
    const previous = await store.latestDrill(entityRef);
    if (previous?.scheduledFor && new Date(previous.scheduledFor) >= slot)
      return;
    if (
      previous &&
      (previous.status === 'approved' || previous.status === 'running')
    )
      return;
    const agent = this.options.agents.get(policy.agent);
    if (!agent) return;
    const [snapshot] = await agent.listSnapshots(policy.target);
    if (!snapshot) {
      logger.warn(
        `Restore drill of ${entityRef} not queued: target "${policy.target}" has no snapshot yet`,
      );
      return;
    }
    const force = drillMayOverwrite(previous, drill.destination);
    const preview: RestorePreview = {
      snapshotId: snapshot.id,
      snapshotCreatedAt: snapshot.createdAt,
      verified: false,
      verification:
        'Checked by the agent during the drill: every artifact is re-read against its sha256 before anything is written.',
      artifacts: snapshot.artifacts.map(a => ({
        name: a.name,
        bytes: a.bytes,
        sha256: a.sha256,
      })),
      containersToStop: [],
      expectedDowntimeMs: null,
      refusals: [],
      overwrites: force,
    };
    const created = await store.createDrill({
      entityRef,
      agent: policy.agent,
      target: policy.target,
      snapshotId: snapshot.id,
      destination: { kind: 'other', path: drill.destination },
      force,
      preview,
      scheduledFor: slot,
      now,
      expiresAt: new Date(
        now.getTime() + this.options.expireAfterHours * 3_600_000,
      ),
    });
    if (created)
      logger.info(
        `Restore drill ${
          created.id
        } of ${entityRef} queued for slot ${slot.toISOString()}`,
      );
  }
}
