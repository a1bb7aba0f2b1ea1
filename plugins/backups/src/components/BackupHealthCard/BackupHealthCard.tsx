import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { InfoCard } from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { EntityBackupSummary } from '@safekeep/plugin-backups-common';
import { BackupHealthStatus } from '../BackupHealthStatus';
import { BackUpNowButton } from '../BackUpNowButton';
import { errorHint } from '../RunHistoryTable';
import { RunProgress } from '../RunProgress';
import { RunStatus } from '../RunStatus';
import { withLocalTimes } from '../../format/time';

function policyLine(policy: EntityBackupSummary['policy']): string | undefined {
  if (!policy) return undefined;
  return [
    `agent ${policy.agent}`,
    `target ${policy.target}`,
    policy.engine,
    policy.schedule ? `schedule "${policy.schedule}"` : 'no schedule',
    policy.retention ? `retention "${policy.retention}"` : undefined,
    policy.retentionOffsite
      ? `offsite retention "${policy.retentionOffsite}"`
      : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The entity's backup health in a word and a sentence, what runs now, and "Back up now". */
export function BackupHealthCard(props: {
  entityRef: CompoundEntityRef;
  summary: EntityBackupSummary;
  active: boolean;
  onStarted(runId?: string): void;
}) {
  const { summary, active } = props;
  const lastRun = summary.lastRun;
  const lastRunFailed =
    lastRun &&
    !active &&
    ['failed', 'partially_failed', 'interrupted'].includes(lastRun.status);
  return (
    <InfoCard title="Backup health">
      {/* A named region: people with screen readers (and the e2e test) find the status here. */}
      <section aria-label="Backup health">
        <BackupHealthStatus health={summary.health} />
        <Typography variant="body1" gutterBottom>
          {withLocalTimes(summary.healthReason)}
        </Typography>
        {summary.policy && (
          <Typography variant="body2" color="textSecondary" gutterBottom>
            Policy: {policyLine(summary.policy)}
          </Typography>
        )}
        {active && <RunProgress run={summary.runningRun} />}
        {lastRunFailed && lastRun && (
          <Box my={1}>
            <Alert severity="error" icon={false}>
              <RunStatus status={lastRun.status}>
                Last run {lastRun.status.replace('_', ' ')}
              </RunStatus>
              {lastRun.error && (
                <Typography variant="body2">{lastRun.error}</Typography>
              )}
              <Typography variant="caption" display="block">
                {errorHint(lastRun)}
              </Typography>
            </Alert>
          </Box>
        )}
        <Box mt={2}>
          <BackUpNowButton
            entityRef={props.entityRef}
            running={active}
            onStarted={props.onStarted}
          />
        </Box>
      </section>
    </InfoCard>
  );
}
