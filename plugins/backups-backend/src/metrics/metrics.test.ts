import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import {
  Attributes,
  Meter,
  MeterProvider,
  metrics,
  ObservableCallback,
  ObservableResult,
} from '@opentelemetry/api';
import { AGENT_TOKEN, RealAgent, startRealAgent } from '../testing/realAgent';
import { startBackupsTestBackend } from '../testing/testBackend';
import { METER_NAME, METRIC_NAMES } from './BackupMetrics';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

/**
 * A meter provider that keeps what is recorded: the OpenTelemetry API boundary, where an
 * exporter (Prometheus, OTLP) would otherwise sit.
 */
function recordingMeterProvider() {
  const recorded: Array<{
    name: string;
    value: number;
    attributes?: Attributes;
  }> = [];
  const gauges = new Map<string, ObservableCallback[]>();
  const meterNames: string[] = [];
  const meter = {
    createHistogram: (name: string) => ({
      record: (value: number, attributes?: Attributes) =>
        recorded.push({ name, value, attributes }),
    }),
    createObservableGauge: (name: string) => ({
      addCallback: (callback: ObservableCallback) =>
        gauges.set(name, [...(gauges.get(name) ?? []), callback]),
      removeCallback: () => undefined,
    }),
  } as unknown as Meter;
  const provider: MeterProvider = {
    getMeter: (name: string) => {
      meterNames.push(name);
      return meter;
    },
  };
  /** What a metrics reader would collect from the gauge now. */
  async function collect(name: string) {
    const observed: Array<{ value: number; attributes?: Attributes }> = [];
    const result = {
      observe: (value: number, attributes?: Attributes) =>
        observed.push({ value, attributes }),
    } as ObservableResult;
    for (const callback of gauges.get(name) ?? []) await callback(result);
    return observed;
  }
  return { provider, recorded, collect, meterNames };
}

let agent: RealAgent;

beforeAll(async () => {
  agent = await startRealAgent();
});

afterAll(async () => {
  metrics.disable();
  await agent?.close();
});

const APP_DB: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Resource',
  metadata: {
    name: 'app-db',
    namespace: 'default',
    annotations: {
      'safekeep.io/agent': 'demo-host',
      'safekeep.io/target': 'app-db',
    },
  },
  spec: { type: 'database', owner: 'group:default/team-a' },
};

describe('OpenTelemetry metrics', () => {
  it('records run duration and stored bytes, and reports the last success per target', async () => {
    const otel = recordingMeterProvider();
    metrics.setGlobalMeterProvider(otel.provider);
    const { api, backend, runUntilFinished, dispatch } =
      await startBackupsTestBackend({
        entities: [APP_DB],
        agents: { 'demo-host': { url: agent.server.url, token: AGENT_TOKEN } },
        databases,
      });
    expect(otel.meterNames).toContain(METER_NAME);
    expect(await otel.collect(METRIC_NAMES.lastSuccess)).toEqual([]);

    const started = await api()
      .post('/api/backups/entities/resource/default/app-db/runs')
      .expect(202);
    const run = await runUntilFinished(
      'resource/default/app-db',
      started.body.runId,
    );
    expect(run.status).toBe('succeeded');

    expect(otel.recorded).toEqual([
      {
        name: METRIC_NAMES.runDuration,
        value: run.durationMs! / 1000,
        attributes: {
          agent: 'demo-host',
          target: 'app-db',
          status: 'succeeded',
        },
      },
      {
        name: METRIC_NAMES.bytesStored,
        value: run.bytesStored,
        attributes: { agent: 'demo-host', target: 'app-db' },
      },
    ]);
    const lastSuccess = [
      {
        value: Math.floor(Date.parse(run.finishedAt!) / 1000),
        attributes: {
          agent: 'demo-host',
          target: 'app-db',
          entity_ref: 'resource:default/app-db',
        },
      },
    ];
    expect(await otel.collect(METRIC_NAMES.lastSuccess)).toEqual(lastSuccess);
    // The dispatcher tick refreshes it from the database (what a restarted backend relies on).
    await dispatch();
    expect(await otel.collect(METRIC_NAMES.lastSuccess)).toEqual(lastSuccess);
    await backend.stop();
  });
});
