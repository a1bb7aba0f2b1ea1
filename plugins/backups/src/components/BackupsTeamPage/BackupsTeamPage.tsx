import { useSearchParams } from 'react-router-dom';
import Typography from '@material-ui/core/Typography';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ContentHeader,
  EmptyState,
  Header,
  Page,
  Progress,
  TabbedLayout,
  WarningPanel,
} from '@backstage/core-components';
import { RestoreApprovalsContent } from '../RestoreApprovals';
import { TeamOverviewPanel } from '../TeamOverview';
import { TeamPicker } from './TeamPicker';
import { useTeamChoices } from './useTeamChoices';

/** `?owner=team-a`, `group:team-a` and `group:default/team-a` all name the same group. */
export function ownerFromQuery(value: string): string | { error: string } {
  try {
    const ref = parseEntityRef(value, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    if (ref.kind.toLocaleLowerCase('en-US') !== 'group') {
      return {
        error: `"${value}" is not a group: the team page shows groups, e.g. ?owner=group:default/team-a`,
      };
    }
    return stringifyEntityRef(ref);
  } catch (e) {
    return {
      error: `"${value}" is not an entity reference: write ?owner=group:default/team-a`,
    };
  }
}

function TeamHealth() {
  const [searchParams, setSearchParams] = useSearchParams();
  const requested = searchParams.get('owner');
  const { value: teams, loading, error } = useTeamChoices();

  const fromQuery = requested ? ownerFromQuery(requested) : undefined;
  const owner =
    typeof fromQuery === 'string' ? fromQuery : teams?.mine[0] ?? undefined;

  return (
    <>
      <ContentHeader title="Team backup health">
        <TeamPicker
          value={owner}
          choices={teams?.choices ?? []}
          onChange={ref => setSearchParams({ owner: ref })}
        />
      </ContentHeader>
      {typeof fromQuery === 'object' && (
        <WarningPanel
          title="Unknown team in the address"
          message={fromQuery.error}
        />
      )}
      {error && !owner && (
        <WarningPanel
          title="Could not find your teams"
          message={`${error.message}. Pick a team above.`}
        />
      )}
      {owner && <TeamOverviewPanel owner={owner} />}
      {!owner && loading && <Progress aria-label="Loading your teams" />}
      {!owner && !loading && !error && (
        <EmptyState
          missing="info"
          title="You are not a member of any team"
          description={
            <Typography variant="body1">
              The page shows the teams (catalog groups) you belong to. Pick a
              team above, or add yourself to a group's members in the catalog.
            </Typography>
          }
        />
      )}
    </>
  );
}

/**
 * The Backups page. Team health (`/`): a team's protected and unprotected entities, worst
 * first, its success rate trend and stored bytes; `?owner=group:default/<team>` picks the
 * team, without it the signed-in user's first group. Restore approvals (`/approvals`): every
 * request that waits for a decision, for the people who approve them.
 */
export function BackupsTeamPage() {
  return (
    <Page themeId="tool">
      <Header
        title="Backups"
        subtitle="Are our services' data protected, and can we restore it?"
      />
      <TabbedLayout>
        <TabbedLayout.Route path="/" title="Team health">
          <TeamHealth />
        </TabbedLayout.Route>
        <TabbedLayout.Route path="/approvals" title="Restore approvals">
          <RestoreApprovalsContent />
        </TabbedLayout.Route>
      </TabbedLayout>
    </Page>
  );
}
