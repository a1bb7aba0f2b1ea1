import { compatWrapper } from '@backstage/core-compat-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isBackupsAvailable } from '../conditions';

/** The backup status card on the overview of entities with Safekeep annotations. */
export const entityBackupStatusCard = EntityCardBlueprint.make({
  name: 'status',
  params: {
    type: 'info',
    filter: isBackupsAvailable,
    loader: () =>
      import('../components/EntityBackupStatusCard').then(m =>
        compatWrapper(<m.EntityBackupStatusCard />),
      ),
  },
});
