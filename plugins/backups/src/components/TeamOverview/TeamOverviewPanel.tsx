import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { TeamOverview } from '@safekeep/plugin-backups-common';
import { useTeamOverview } from '../../hooks/useTeamOverview';
import { TimeText } from '../TimeText';
import { SuccessRateTrendChart } from './SuccessRateTrendChart';
import { TeamEntitiesTable } from './TeamEntitiesTable';
import { TeamHeadline } from './TeamHeadline';
import { UnprotectedResourcesCard } from './UnprotectedResourcesCard';

function OverviewGrid(props: { overview: TeamOverview }) {
  const { overview } = props;
  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12}>
        <InfoCard
          title="Backup health"
          subheader={
            // One inline box: the header lays its children out as flex items, which drops the space.
            <span>
              Of {overview.owner} · updated{' '}
              <TimeText iso={overview.generatedAt} />
            </span>
          }
        >
          <TeamHeadline overview={overview} />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <TeamEntitiesTable rows={overview.entities} />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard
          title="Daily success rate"
          subheader="Share of finished backup runs that succeeded, per day"
        >
          <SuccessRateTrendChart trend={overview.successTrend} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <UnprotectedResourcesCard resources={overview.unprotected} />
      </Grid>
    </Grid>
  );
}

/** A team's whole backup overview, with its loading, error and empty states. */
export function TeamOverviewPanel(props: { owner: string }) {
  const {
    value: overview,
    loading,
    error,
    retry,
  } = useTeamOverview(props.owner);
  // While another team loads, the previous team's numbers must not pass for the new one's.
  if (loading && overview?.owner !== props.owner)
    return <Progress aria-label="Loading the backup overview" />;
  if (error) {
    return (
      <ResponseErrorPanel
        error={error}
        title={`Could not read the backup overview of ${props.owner}`}
      />
    );
  }
  if (!overview) return null;
  if (overview.counts.protected === 0 && overview.counts.unprotected === 0) {
    return (
      <EmptyState
        missing="data"
        title={`${props.owner} owns nothing that holds data`}
        description={
          <Typography variant="body1">
            No entity owned by this team has a Safekeep backup policy, and it
            owns no Resource that holds data. Add Safekeep annotations to a
            Resource's catalog-info.yaml (its Backups tab shows which), or pick
            another team.
          </Typography>
        }
        action={
          <Button variant="outlined" color="primary" onClick={retry}>
            Read again
          </Button>
        }
      />
    );
  }
  return <OverviewGrid overview={overview} />;
}
