import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export interface PrometheusExporterOptions {
  /** Port of the scrape endpoint (`/metrics`); 9464 is the exporter's default. */
  port: number;
  /** Interface to listen on; the dev portal keeps it on loopback. */
  host: string;
}

/** The scrape endpoint's address from SAFEKEEP_METRICS_PORT / SAFEKEEP_METRICS_HOST. */
export function prometheusOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): PrometheusExporterOptions {
  const port = Number(env.SAFEKEEP_METRICS_PORT ?? 9464);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(
      `SAFEKEEP_METRICS_PORT must be a port number (0-65535), got "${env.SAFEKEEP_METRICS_PORT}"`,
    );
  return { port, host: env.SAFEKEEP_METRICS_HOST ?? '127.0.0.1' };
}

/**
 * Registers the global OpenTelemetry meter provider with a Prometheus exporter, so every
 * instrument created through `@opentelemetry/api` afterwards (the backups plugin's gauges and
 * histograms, Backstage's own) is served in the Prometheus text format at
 * http://host:port/metrics. Must run before the backend starts its plugins: a meter taken from
 * the API before a provider is registered stays a no-op.
 */
export async function startPrometheusExporter(
  options: PrometheusExporterOptions,
): Promise<{ url: string; stop(): Promise<void> }> {
  const exporter = new PrometheusExporter({
    port: options.port,
    host: options.host,
    preventServerStart: true,
  });
  // Registered before the first await, so that a caller that does not wait still has the
  // provider in place when the backend's plugins take their meters.
  const provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  try {
    await exporter.startServer();
  } catch (error) {
    await provider.shutdown();
    metrics.disable();
    throw new Error(
      `metrics: cannot listen on ${options.host}:${options.port} (${error}); set SAFEKEEP_METRICS_PORT to a free port`,
    );
  }
  return {
    url: `http://${options.host}:${options.port}/metrics`,
    async stop() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}
