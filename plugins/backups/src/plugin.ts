import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { backupsApiRef, BackupsClient } from './api';
import { rootRouteRef } from './routes';

/** Safekeep's frontend plugin (legacy frontend system; see `/alpha` for the new one). */
export const backupsPlugin = createPlugin({
  id: 'backups',
  apis: [
    createApiFactory({
      api: backupsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new BackupsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/** The entity's Backups tab: mount it in an `EntityLayout.Route path="/backups"`. */
export const EntityBackupsContent = backupsPlugin.provide(
  createRoutableExtension({
    name: 'EntityBackupsContent',
    component: () =>
      import('./components/EntityBackupsContent').then(
        m => m.EntityBackupsContent,
      ),
    mountPoint: rootRouteRef,
  }),
);

/** A compact status card for the entity overview, linking to the Backups tab. */
export const EntityBackupStatusCard = backupsPlugin.provide(
  createComponentExtension({
    name: 'EntityBackupStatusCard',
    component: {
      lazy: () =>
        import('./components/EntityBackupStatusCard').then(
          m => m.EntityBackupStatusCard,
        ),
    },
  }),
);
