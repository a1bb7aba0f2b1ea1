import { Attributes, Meter, metrics } from '@opentelemetry/api';
import type { EntityRunFacts, StoredRun } from '../runs/BackupsStore';

/** The meter name; instruments appear under it in any OpenTelemetry exporter. */
export const METER_NAME = '@safekeep/plugin-backups-backend';

export const METRIC_NAMES = {
  lastSuccess: 'safekeep.backup.last_success',
  runDuration: 'safekeep.backup.run.duration',
  bytesStored: 'safekeep.backup.bytes_stored',
} as const;

interface LastSuccess {
  entityRef: string;
  agent: string;
  target: string;
  /** Unix seconds. */
  at: number;
}

/**
 * The plugin's OpenTelemetry metrics, through the global `@opentelemetry/api` meter provider
 * that Backstage's instrumentation setup (packages/backend/src/instrumentation.js) registers;
 * without one they cost nothing.
 * - `safekeep.backup.last_success` (observable gauge, s): Unix time of each target's latest
 *   successful backup, per agent, target and entity. Fed by every success and refreshed for all
 *   policies on each dispatcher tick (so it survives restarts).
 * - `safekeep.backup.run.duration` (histogram, s): duration of finished runs, per agent, target, status.
 * - `safekeep.backup.bytes_stored` (histogram, By): stored bytes of successful runs, per agent, target.
 */
export class BackupMetrics {
  private readonly lastSuccesses = new Map<string, LastSuccess>();
  private readonly runDuration;
  private readonly bytesStored;

  constructor(meter: Meter = metrics.getMeter(METER_NAME)) {
    this.runDuration = meter.createHistogram(METRIC_NAMES.runDuration, {
      description: 'Duration of finished backup runs',
      unit: 's',
    });
    this.bytesStored = meter.createHistogram(METRIC_NAMES.bytesStored, {
      description: 'Stored bytes of successful backup runs (primary tier)',
      unit: 'By',
    });
    meter
      .createObservableGauge(METRIC_NAMES.lastSuccess, {
        description: 'Unix time of the latest successful backup of each target',
        unit: 's',
      })
      .addCallback(result => {
        for (const entry of this.lastSuccesses.values()) {
          result.observe(entry.at, {
            agent: entry.agent,
            target: entry.target,
            entity_ref: entry.entityRef,
          });
        }
      });
  }

  private noteSuccess(run: StoredRun): void {
    if (run.status !== 'succeeded' || !run.finishedAt) return;
    const key = `${run.entityRef}|${run.agent}|${run.target}`;
    const at = Math.floor(new Date(run.finishedAt).getTime() / 1000);
    const known = this.lastSuccesses.get(key);
    if (!known || known.at < at)
      this.lastSuccesses.set(key, {
        entityRef: run.entityRef,
        agent: run.agent,
        target: run.target,
        at,
      });
  }

  /** A run finished (RunExecutor onFinished listener). */
  async recordFinished(run: StoredRun): Promise<void> {
    const attributes: Attributes = { agent: run.agent, target: run.target };
    if (run.durationMs !== null)
      this.runDuration.record(run.durationMs / 1000, {
        ...attributes,
        status: run.status,
      });
    if (run.status === 'succeeded' && run.bytesStored !== null)
      this.bytesStored.record(run.bytesStored, attributes);
    this.noteSuccess(run);
  }

  /** The latest successes of every policy, from the dispatcher tick; policies no longer there drop out. */
  observeFacts(facts: Map<string, EntityRunFacts>): void {
    this.lastSuccesses.clear();
    for (const entry of facts.values()) {
      if (entry.lastSuccess) this.noteSuccess(entry.lastSuccess);
    }
  }
}
