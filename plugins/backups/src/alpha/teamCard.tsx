import { compatWrapper } from '@backstage/core-compat-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';

/** A group's backup headline on its overview, linking to the team page. */
export const entityTeamBackupsCard = EntityCardBlueprint.make({
  name: 'team',
  params: {
    type: 'info',
    // An entity predicate (case-insensitive), not the string 'kind:group': string default
    // filters are deprecated in plugin-catalog-react 4 and warn at every app start.
    filter: { kind: 'group' },
    loader: () =>
      import('../components/EntityTeamBackupsCard').then(m =>
        compatWrapper(<m.EntityTeamBackupsCard />),
      ),
  },
});
