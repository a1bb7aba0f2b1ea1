import BackupIcon from '@material-ui/icons/Backup';
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { teamPageRouteRef } from '../routes';

/**
 * The team health page at /backups. Its title and icon also give it a nav item: the new
 * frontend system (frontend-plugin-api 0.18) builds the sidebar from pages; there is no
 * NavItemBlueprint any more.
 */
export const backupsTeamPage = PageBlueprint.make({
  params: {
    path: '/backups',
    title: 'Backups',
    icon: <BackupIcon />,
    routeRef: convertLegacyRouteRef(teamPageRouteRef),
    // The page draws its own header (and team picker).
    noHeader: true,
    loader: () =>
      import('../components/BackupsTeamPage').then(m =>
        compatWrapper(<m.BackupsTeamPage />),
      ),
  },
});
