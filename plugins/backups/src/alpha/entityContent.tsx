import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { rootRouteRef } from '../routes';
import { showsBackupsTab } from './filters';

/** The Backups tab on entity pages. */
export const entityBackupsContent = EntityContentBlueprint.make({
  params: {
    path: 'backups',
    title: 'Backups',
    routeRef: convertLegacyRouteRef(rootRouteRef),
    filter: showsBackupsTab,
    loader: () =>
      import('../components/EntityBackupsContent').then(m =>
        compatWrapper(<m.EntityBackupsContent />),
      ),
  },
});
