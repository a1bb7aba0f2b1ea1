import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
  useEntity,
} from '@backstage/plugin-catalog-react';
import { hasBackupAnnotations } from '@safekeep/plugin-backups-common';
import { formatBytes } from '../../format/bytes';
import { useBackupSummary } from '../../hooks/useBackupSummary';
import { BackupHealthStatus } from '../BackupHealthStatus';
import { RunProgress } from '../RunProgress';
import { TimeText } from '../TimeText';
import { withLocalTimes } from '../../format/time';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    marginTop: theme.spacing(1),
  },
  term: { color: theme.palette.text.secondary },
  value: { margin: 0 },
}));

function StatusFacts(props: { entity: Entity }) {
  const classes = useStyles();
  const entityRef = useMemo(
    () => getCompoundEntityRef(props.entity),
    [props.entity],
  );
  const { summary, error, loading, active } = useBackupSummary(entityRef);

  if (loading) return <Progress />;
  if (error || !summary) {
    return (
      <ResponseErrorPanel
        error={error ?? new Error('no summary')}
        title="Could not read the backup status"
      />
    );
  }
  const lastSuccess = summary.lastSuccess;
  const finishedAt = lastSuccess?.finishedAt ?? lastSuccess?.startedAt;
  return (
    <>
      <BackupHealthStatus health={summary.health} variant="h6" />
      <Typography variant="body2">
        {withLocalTimes(summary.healthReason)}
      </Typography>
      {active && <RunProgress run={summary.runningRun} />}
      <dl className={classes.facts}>
        <dt className={classes.term}>Last success</dt>
        <dd className={classes.value}>
          {finishedAt ? <TimeText iso={finishedAt} /> : 'never'}
        </dd>
        <dt className={classes.term}>Latest size</dt>
        <dd className={classes.value}>
          {lastSuccess?.bytesStored !== null &&
          lastSuccess?.bytesStored !== undefined
            ? formatBytes(lastSuccess.bytesStored)
            : '—'}
        </dd>
      </dl>
    </>
  );
}

/**
 * A compact backup status for the entity overview: health, last success, latest size,
 * and a link to the Backups tab (mounted at `tabPath` under the entity page).
 */
export function EntityBackupStatusCard(props: { tabPath?: string }) {
  const { entity } = useEntity();
  const entityPage = useRouteRef(entityRouteRef)(entityRouteParams(entity));
  const link = `${entityPage}/${props.tabPath ?? 'backups'}`;
  const configured = hasBackupAnnotations(entity);

  return (
    <InfoCard
      title="Backups"
      deepLink={{ title: configured ? 'View backups' : 'Set up backups', link }}
    >
      {configured ? (
        <StatusFacts entity={entity} />
      ) : (
        <>
          <BackupHealthStatus health="unconfigured" variant="h6" />
          <Typography variant="body2">
            This entity has no Safekeep annotations; the Backups tab shows which
            to add.
          </Typography>
        </>
      )}
    </InfoCard>
  );
}
