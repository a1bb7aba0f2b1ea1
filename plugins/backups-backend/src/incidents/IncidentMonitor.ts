import type { LoggerService } from '@backstage/backend-plugin-api';
import type { RunAggregates } from '../aggregates/RunAggregates';
import type { EntityRunFacts } from '../runs/BackupsStore';
import type { IncidentKind, IncidentsStore } from './IncidentsStore';
import type { EntityPolicyResult } from '../policies/CatalogPolicyReader';
import { ownerRefOf } from '../policies/ownerRef';
import type { DispatchFollowUp } from '../scheduling/registerBackupTasks';
import { computeEntitySummary } from '../summary/computeEntitySummary';
import type { IncidentNotifier } from './IncidentNotifier';

const INCIDENT_KINDS: IncidentKind[] = ['failing', 'stale'];

/**
 * The freshness check of the dispatcher task: computes every policy's health, opens an incident
 * when an entity becomes failing or stale, closes it when that ends, and sends the owner one
 * notice per opening and one per recovery. Incidents live in the database, so a restart or
 * another replica never notifies twice; a notice that could not be sent is retried next tick.
 */
export class IncidentMonitor implements DispatchFollowUp {
  constructor(
    private readonly options: {
      policies: { readAll(): Promise<EntityPolicyResult[]> };
      aggregates: Pick<RunAggregates, 'getRunFacts'>;
      incidents: IncidentsStore;
      notifier: IncidentNotifier;
      logger: LoggerService;
      dispatchIntervalMs: number;
      /** Told every policy's run facts on each check (the last-success gauge). */
      observeFacts?: (facts: Map<string, EntityRunFacts>) => void;
      now?: () => Date;
    },
  ) {}

  afterDispatch(): Promise<void> {
    return this.check();
  }

  async check(): Promise<void> {
    const { policies, aggregates, incidents, logger } = this.options;
    const now = this.options.now?.() ?? new Date();
    const configured = (await policies.readAll()).filter(
      p => p.result.status === 'configured',
    );
    const facts = await aggregates.getRunFacts(
      configured.map(p => p.entityRef),
    );
    this.options.observeFacts?.(facts);

    const current = new Map<
      string,
      {
        entityRef: string;
        kind: IncidentKind;
        reason: string;
        owner: string | null;
      }
    >();
    for (const { entity, entityRef, result } of configured) {
      const summary = computeEntitySummary({
        entityRef,
        policy: result,
        facts: facts.get(entityRef) ?? {},
        now,
        dispatchIntervalMs: this.options.dispatchIntervalMs,
      });
      const kind = INCIDENT_KINDS.find(k => k === summary.health);
      if (kind) {
        current.set(`${entityRef}|${kind}`, {
          entityRef,
          kind,
          reason: summary.healthReason,
          owner: ownerRefOf(entity) ?? null,
        });
      }
    }

    const configuredRefs = new Set(configured.map(p => p.entityRef));
    const open = await incidents.listOpen();
    const openKeys = new Set<string>();
    for (const incident of open) {
      const key = `${incident.entityRef}|${incident.kind}`;
      if (current.has(key)) {
        openKeys.add(key);
        continue;
      }
      // The entity recovered, or its policy is gone (no "recovered" notice for that).
      await incidents.close(
        incident.id,
        configuredRefs.has(incident.entityRef) ? 'recovered' : 'unconfigured',
        now,
      );
    }
    for (const [key, incident] of current) {
      if (openKeys.has(key)) continue;
      const opened = await incidents.open(incident, now);
      if (opened)
        logger.info(
          `Backups of ${incident.entityRef} are ${incident.kind}: ${incident.reason}`,
        );
    }
    await this.deliver(now);
  }

  /** Sends the notices still due (new ones, and ones that failed to go out before). */
  private async deliver(now: Date): Promise<void> {
    const { incidents, notifier } = this.options;
    for (const incident of await incidents.listAwaitingNotice()) {
      if (await notifier.send(incident, 'opened'))
        await incidents.markNotified(incident.id, now);
    }
    for (const incident of await incidents.listAwaitingRecoveryNotice()) {
      if (await notifier.send(incident, 'recovered'))
        await incidents.markRecoveryNotified(incident.id, now);
    }
  }
}
