import { metrics } from '@opentelemetry/api';
import { createServer } from 'node:net';
import {
  prometheusOptionsFromEnv,
  startPrometheusExporter,
} from './prometheusExporter';

/** A port nobody listens on right now (the exporter wants a fixed one). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

describe('the dev portal Prometheus exporter', () => {
  it('serves instruments created through the OpenTelemetry API at /metrics', async () => {
    const exporter = await startPrometheusExporter({
      port: await freePort(),
      host: '127.0.0.1',
    });
    try {
      // What the backups plugin does: a meter from the global API, an observable gauge.
      metrics
        .getMeter('@safekeep/plugin-backups-backend')
        .createObservableGauge('safekeep.backup.last_success', { unit: 's' })
        .addCallback(result =>
          result.observe(1764000000, {
            agent: 'demo-host',
            target: 'notes-db',
            entity_ref: 'resource:default/notes-db',
          }),
        );
      const response = await fetch(exporter.url);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(
        /^safekeep_backup_last_success\{.*entity_ref="resource:default\/notes-db".*\} 1764000000$/m,
      );
    } finally {
      await exporter.stop();
    }
  });

  it('takes its address from SAFEKEEP_METRICS_PORT and SAFEKEEP_METRICS_HOST', () => {
    expect(prometheusOptionsFromEnv({})).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
    expect(
      prometheusOptionsFromEnv({
        SAFEKEEP_METRICS_PORT: '19464',
        SAFEKEEP_METRICS_HOST: '0.0.0.0',
      }),
    ).toEqual({ port: 19464, host: '0.0.0.0' });
    expect(() =>
      prometheusOptionsFromEnv({ SAFEKEEP_METRICS_PORT: 'nine' }),
    ).toThrow(
      'SAFEKEEP_METRICS_PORT must be a port number (0-65535), got "nine"',
    );
  });
});
