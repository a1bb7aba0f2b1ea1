/*
 * The Safekeep dev portal backend: catalog, guest sign-in, permissions, notifications
 * and the backups plugin, storing everything in SQLite by default (see app-config.yaml).
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  prometheusOptionsFromEnv,
  startPrometheusExporter,
} from './metrics/prometheusExporter';
import { demoApproverAuthModule } from './modules/demoApproverAuthProvider';
import { demoPermissionPolicyModule } from './modules/demoPermissionPolicy';

// Prometheus metrics at http://127.0.0.1:9464/metrics (docs/api.md). Called before the backend
// starts: the plugins' meters come from the provider this registers.
startPrometheusExporter(prometheusOptionsFromEnv()).then(
  exporter =>
    console.log(`metrics: Prometheus scrape endpoint ${exporter.url}`),
  error => console.warn(`${error.message}; the portal runs without metrics`),
);

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// A second demo identity that may approve restores the guest asks for (four eyes).
backend.add(demoApproverAuthModule);

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
// Everyone may do everything, except approving restores: only the restore-approvers group.
backend.add(demoPermissionPolicyModule);

backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@safekeep/plugin-backups-backend'));

backend.start();
