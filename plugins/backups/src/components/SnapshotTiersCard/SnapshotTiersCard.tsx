import type { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { InfoCard, Progress, WarningPanel } from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import type { EntityBackupSummary } from '@safekeep/plugin-backups-common';
import { backupsApiRef, errorMessage } from '../../api';
import { formatBytes } from '../../format/bytes';
import { TimeText } from '../TimeText';
import { TierView, tierViews } from './tiers';

const useStyles = makeStyles(theme => ({
  tiers: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(260px, 1fr))',
    gap: theme.spacing(3),
  },
  list: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(1),
    margin: 0,
  },
  term: { color: theme.palette.text.secondary },
  value: { margin: 0, minWidth: 0 },
  code: { fontFamily: 'monospace', wordBreak: 'break-word' },
}));

function Field(props: { term: string; children: ReactNode }) {
  const classes = useStyles();
  return (
    <>
      <dt className={classes.term}>{props.term}</dt>
      <dd className={classes.value}>{props.children}</dd>
    </>
  );
}

function TierFacts(props: {
  view: TierView;
  annotation: string;
  listed: boolean;
}) {
  const classes = useStyles();
  const { view } = props;
  const newest = view.snapshots[0];
  const oldest = view.snapshots[view.snapshots.length - 1];
  return (
    <section aria-label={`Tier ${view.tier}`}>
      <Typography variant="h6" component="h3" gutterBottom>
        {view.tier}
        <Typography component="span" variant="body2" color="textSecondary">
          {view.position === 0 ? ' · primary tier' : ' · copy'}
        </Typography>
      </Typography>
      <dl className={classes.list}>
        <Field term="Retention">
          {view.retention ? (
            <>
              <span className={classes.code}>{view.retention}</span>
              <Typography variant="caption" display="block">
                {view.retentionMeaning}
              </Typography>
            </>
          ) : (
            <>
              None: nothing is pruned.
              <Typography variant="caption" display="block">
                Add {props.annotation}, e.g. "keep-last=7 keep-daily=14 min=3".
              </Typography>
            </>
          )}
        </Field>
        <Field term="Snapshots">
          {!props.listed && 'unknown: the list could not be read'}
          {props.listed && view.snapshots.length === 0 && 'none yet'}
          {view.snapshots.length > 0 &&
            `${view.snapshots.length} stored, ${formatBytes(
              view.bytes,
            )} in all`}
        </Field>
        {newest && (
          <Field term="Newest">
            <TimeText iso={newest.createdAt} /> · {formatBytes(newest.bytes)}
          </Field>
        )}
        {oldest && view.snapshots.length > 1 && (
          <Field term="Oldest">
            <TimeText iso={oldest.createdAt} /> · {formatBytes(oldest.bytes)}
          </Field>
        )}
      </dl>
    </section>
  );
}

const ANNOTATION_BY_POSITION = [
  'safekeep.io/retention',
  'safekeep.io/retention-offsite',
];

/**
 * The entity's snapshots per storage tier (as its agent lists them) beside the retention that
 * prunes each tier. If the agent cannot be asked, the retention is still shown.
 */
export function SnapshotTiersCard(props: {
  entityRef: CompoundEntityRef;
  summary: EntityBackupSummary;
  refreshKey: string;
}) {
  const classes = useStyles();
  const api = useApi(backupsApiRef);
  const { kind, namespace, name } = props.entityRef;
  const { value, loading, error } = useAsync(
    () => api.listSnapshots({ kind, namespace, name }),
    [api, kind, namespace, name, props.refreshKey],
  );
  const views = tierViews(
    value ?? [],
    props.summary.policy,
    props.summary.lastSuccess?.location,
  );

  return (
    <InfoCard
      title="Snapshots per tier"
      subheader="What each storage tier holds now, and what its retention keeps"
    >
      {error && (
        <Box mb={2}>
          <WarningPanel
            title="Could not list the snapshots; showing the retention only"
            message={errorMessage(error)}
          />
        </Box>
      )}
      {loading && !value ? (
        <Progress aria-label="Loading the snapshots" />
      ) : (
        <div className={classes.tiers}>
          {views.map(view => (
            <TierFacts
              key={view.tier}
              view={view}
              listed={!error}
              annotation={
                ANNOTATION_BY_POSITION[view.position] ??
                'a retention for this tier'
              }
            />
          ))}
        </div>
      )}
    </InfoCard>
  );
}
