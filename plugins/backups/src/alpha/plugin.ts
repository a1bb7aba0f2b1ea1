import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRefs } from '@backstage/core-compat-api';
import { rootRouteRef, teamPageRouteRef } from '../routes';
import { backupsApi } from './apis';
import { entityBackupStatusCard } from './entityCard';
import { entityBackupsContent } from './entityContent';
import { entityTeamBackupsCard } from './teamCard';
import { backupsTeamPage } from './teamPage';

/** Safekeep's frontend plugin for the new frontend system. */
export const backupsPlugin = createFrontendPlugin({
  pluginId: 'backups',
  title: 'Backups',
  routes: convertLegacyRouteRefs({
    root: rootRouteRef,
    teamPage: teamPageRouteRef,
  }),
  extensions: [
    backupsApi,
    entityBackupsContent,
    entityBackupStatusCard,
    entityTeamBackupsCard,
    backupsTeamPage,
  ],
});
