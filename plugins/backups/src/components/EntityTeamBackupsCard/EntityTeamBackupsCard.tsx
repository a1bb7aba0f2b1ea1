import Typography from '@material-ui/core/Typography';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useTeamOverview } from '../../hooks/useTeamOverview';
import { teamPageRouteRef } from '../../routes';
import { BackupHealthStatus } from '../BackupHealthStatus';
import { entityDisplayName, TeamHeadline } from '../TeamOverview';
import { withLocalTimes } from '../../format/time';

/** The team page's path, or its conventional `/backups` when the app has not mounted it by route ref. */
function useTeamPageLink(owner: string): string {
  let base = '/backups';
  try {
    // eslint-disable-next-line react-hooks/rules-of-hooks
    base = useRouteRef(teamPageRouteRef)();
  } catch {
    // Not mounted through the plugin's route ref: fall back to the documented path.
  }
  return `${base}?${new URLSearchParams({ owner })}`;
}

/**
 * A group's backup headline for its overview page: protected and unprotected counts, how
 * many need attention, the 30-day success rate, the worst entity, and a link to the team page.
 */
export function EntityTeamBackupsCard() {
  const { entity } = useEntity();
  const owner = stringifyEntityRef(entity);
  const link = useTeamPageLink(owner);
  const { value: overview, loading, error } = useTeamOverview(owner);
  const worst = overview?.entities.find(row => row.health !== 'ok');

  return (
    <InfoCard
      title="Backups"
      deepLink={{ title: 'View team backup health', link }}
    >
      {loading && !overview && (
        <Progress aria-label="Loading the team's backups" />
      )}
      {error && (
        <ResponseErrorPanel
          error={error}
          title="Could not read this team's backups"
        />
      )}
      {overview &&
        (overview.counts.protected === 0 &&
        overview.counts.unprotected === 0 ? (
          <Typography variant="body2">
            This team owns nothing with a backup policy, and no Resource that
            holds data.
          </Typography>
        ) : (
          <>
            <TeamHeadline overview={overview} compact />
            {worst && (
              <Typography variant="body2" style={{ marginTop: 16 }}>
                Worst: {entityDisplayName(worst)} is{' '}
                <BackupHealthStatus health={worst.health} variant="body2" /> —{' '}
                {withLocalTimes(worst.healthReason)}
              </Typography>
            )}
          </>
        ))}
    </InfoCard>
  );
}
