import { compatWrapper } from '@backstage/core-compat-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';

/** A group's backup headline on its overview, linking to the team page. */
export const entityTeamBackupsCard = EntityCardBlueprint.make({
  name: 'team',
  params: {
    type: 'info',
    filter: 'kind:group',
    loader: () =>
      import('../components/EntityTeamBackupsCard').then(m =>
        compatWrapper(<m.EntityTeamBackupsCard />),
      ),
  },
});
