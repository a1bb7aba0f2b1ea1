import { useMemo } from 'react';
import Grid from '@material-ui/core/Grid';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import {
  CodeSnippet,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  EntityBackupSummary,
  hasBackupAnnotations,
} from '@safekeep/plugin-backups-common';
import { errorMessage } from '../../api';
import { useBackupSummary } from '../../hooks/useBackupSummary';
import { AnnotationProblems } from '../AnnotationProblems';
import { BackupHealthCard } from '../BackupHealthCard';
import {
  ConsistencyGroupContent,
  isConsistencyGroupSystem,
} from '../ConsistencyGroupContent';
import { LatestSnapshotCard } from '../LatestSnapshotCard';
import { RunHistoryTable } from '../RunHistoryTable';
import { RestoresCard } from '../RestoresCard';
import { setupYaml, SetupInstructions } from '../SetupInstructions';
import { SizeTrendCard } from '../SizeTrendChart';
import { SnapshotTiersCard } from '../SnapshotTiersCard';
import { VerifyFailures } from '../VerifyFailures';

/** Changes when a run starts, changes status or finishes: the run lists are read again then. */
function runsRefreshKey(summary: EntityBackupSummary): string {
  const { lastRun, runningRun } = summary;
  return [
    lastRun?.id,
    lastRun?.status,
    runningRun?.id,
    runningRun?.status,
  ].join(':');
}

function InvalidPolicy(props: {
  entity: Entity;
  summary: EntityBackupSummary;
}) {
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        <AnnotationProblems problems={props.summary.problems} />
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="A valid policy, for comparison">
          <CodeSnippet
            text={setupYaml(props.entity)}
            language="yaml"
            showCopyCodeButton
          />
        </InfoCard>
      </Grid>
    </Grid>
  );
}

function EntityBackups(props: { entity: Entity }) {
  const { entity } = props;
  const entityRef = useMemo(() => getCompoundEntityRef(entity), [entity]);
  const { summary, error, refreshError, loading, active, watchRun } =
    useBackupSummary(entityRef);

  if (loading) return <Progress />;
  if (error || !summary) {
    return (
      <ResponseErrorPanel
        error={error ?? new Error('no summary')}
        title="Could not read the backup status"
      />
    );
  }
  if (summary.health === 'unconfigured')
    return <SetupInstructions entity={entity} />;
  if (summary.health === 'invalid')
    return <InvalidPolicy entity={entity} summary={summary} />;

  const refreshKey = runsRefreshKey(summary);
  return (
    <Grid container spacing={3} alignItems="stretch">
      {refreshError && (
        <Grid item xs={12}>
          <WarningPanel
            title="Could not refresh the backup status; showing the last one read"
            message={errorMessage(refreshError)}
          />
        </Grid>
      )}
      {!!summary.snapshotVerification?.failed.length && (
        <Grid item xs={12}>
          <VerifyFailures verification={summary.snapshotVerification} />
        </Grid>
      )}
      <Grid item xs={12} md={6}>
        <BackupHealthCard
          entityRef={entityRef}
          summary={summary}
          active={active}
          onStarted={watchRun}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <LatestSnapshotCard summary={summary} />
      </Grid>
      <Grid item xs={12}>
        <SizeTrendCard entityRef={entityRef} refreshKey={refreshKey} />
      </Grid>
      <Grid item xs={12}>
        <SnapshotTiersCard
          entityRef={entityRef}
          summary={summary}
          refreshKey={refreshKey}
        />
      </Grid>
      <Grid item xs={12}>
        <RunHistoryTable entityRef={entityRef} refreshKey={refreshKey} />
      </Grid>
      <Grid item xs={12}>
        <RestoresCard entityRef={entityRef} />
      </Grid>
    </Grid>
  );
}

/**
 * The entity's Backups tab: health, latest snapshot, "Back up now", size trend, snapshots per
 * tier with their retention, and run history; or, without annotations, the annotations to add.
 * A System with a consistency group shows its group restores instead.
 */
export function EntityBackupsContent() {
  const { entity } = useEntity();
  if (isConsistencyGroupSystem(entity))
    return <ConsistencyGroupContent entity={entity} />;
  // No backend call for an entity that asks for no backups: the answer is known.
  if (!hasBackupAnnotations(entity))
    return <SetupInstructions entity={entity} />;
  return <EntityBackups entity={entity} />;
}
