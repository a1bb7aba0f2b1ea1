import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { backupsApiRef, BackupsClient } from './api';
import { rootRouteRef, teamPageRouteRef } from './routes';

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
    teamPage: teamPageRouteRef,
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

/** The team health page: mount it at `/backups` (`?owner=group:default/<team>` picks the team). */
export const BackupsTeamPage = backupsPlugin.provide(
  createRoutableExtension({
    name: 'BackupsTeamPage',
    component: () =>
      import('./components/BackupsTeamPage').then(m => m.BackupsTeamPage),
    mountPoint: teamPageRouteRef,
  }),
);

/** A group's backup headline for the group page's overview, linking to the team page. */
export const EntityTeamBackupsCard = backupsPlugin.provide(
  createComponentExtension({
    name: 'EntityTeamBackupsCard',
    component: {
      lazy: () =>
        import('./components/EntityTeamBackupsCard').then(
          m => m.EntityTeamBackupsCard,
        ),
    },
  }),
);
