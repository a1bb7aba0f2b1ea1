// The host's backend, as create-app writes it (in plain JavaScript, so that it runs without a
// build), with one line added: the Safekeep backend plugin.
const { createBackend } = require('@backstage/backend-defaults');

const backend = createBackend();
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);
backend.add(import('@backstage/plugin-notifications-backend'));

backend.add(import('@safekeep/plugin-backups-backend'));

backend.start();
