import type { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { CopyTextButton, InfoCard } from '@backstage/core-components';
import type {} from '@backstage/theme';
import {
  EntityBackupSummary,
  formatDuration,
} from '@safekeep/plugin-backups-common';
import { formatBytes } from '../../format/bytes';
import { TimeText } from '../TimeText';
import { isRpoMet } from './rpo';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(3),
    rowGap: theme.spacing(1.5),
    margin: 0,
  },
  term: {
    color: theme.palette.text.secondary,
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  value: { margin: 0, minWidth: 0 },
  mono: { fontFamily: 'monospace', wordBreak: 'break-all' },
  met: {
    color: theme.palette.status.ok,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  missed: {
    color: theme.palette.status.error,
    fontWeight: theme.typography.fontWeightBold as number,
  },
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

/** Monospace text with a button that copies it. */
function CopyableText(props: {
  text: string;
  /** The button's label, e.g. "Copy sha256". */
  label: string;
  /** The tooltip once copied, e.g. "sha256 copied". */
  copied: string;
  testId?: string;
}) {
  const classes = useStyles();
  const { text, label, copied, testId } = props;
  return (
    <Box display="flex" alignItems="center">
      <span className={classes.mono} data-testid={testId}>
        {text}
      </span>
      <CopyTextButton text={text} aria-label={label} tooltipText={copied} />
    </Box>
  );
}

/** The newest good snapshot: when, how big, its checksum and where it lives; and what comes next. */
export function LatestSnapshotCard(props: {
  summary: EntityBackupSummary;
  now?: Date;
}) {
  const classes = useStyles();
  const { lastSuccess, nextRunAt, policy } = props.summary;
  const finishedAt = lastSuccess?.finishedAt ?? lastSuccess?.startedAt ?? null;
  const rpoMet = isRpoMet(finishedAt, policy?.rpoMs, props.now ?? new Date());

  return (
    <InfoCard title="Latest snapshot">
      <dl className={classes.list}>
        <Field term="Last success">
          {finishedAt ? (
            <TimeText iso={finishedAt} showAbsolute />
          ) : (
            'No successful backup yet'
          )}
        </Field>
        <Field term="Next scheduled run">
          {nextRunAt ? (
            <>
              <TimeText iso={nextRunAt} showAbsolute />
              {policy?.schedule && (
                <Typography
                  variant="caption"
                  color="textSecondary"
                  display="block"
                >
                  schedule "{policy.schedule}"
                </Typography>
              )}
            </>
          ) : (
            'None: add a safekeep.io/schedule annotation to back up on a schedule'
          )}
        </Field>
        <Field term="RPO">
          {policy?.rpoMs ? (
            <>
              {formatDuration(policy.rpoMs)}
              {rpoMet !== undefined && ' · '}
              {rpoMet === true && <span className={classes.met}>met</span>}
              {rpoMet === false && (
                <span className={classes.missed}>not met</span>
              )}
              {rpoMet === undefined && ' · not met yet: no successful backup'}
            </>
          ) : (
            'Not set: add a safekeep.io/rpo annotation, e.g. 26h'
          )}
        </Field>
        <Field term="Last verified restore">
          {props.summary.lastVerifiedRestoreAt ? (
            <TimeText iso={props.summary.lastVerifiedRestoreAt} showAbsolute />
          ) : (
            'Never: no restore of this entity has passed its check yet'
          )}
          <Typography variant="caption" color="textSecondary" display="block">
            {policy?.restoreDrill
              ? `drills "${policy.restoreDrill.schedule}" into ${policy.restoreDrill.destination}`
              : 'no drills: add safekeep.io/restore-drill and safekeep.io/restore-drill-target to test restores on a schedule'}
          </Typography>
        </Field>
        {lastSuccess && (
          <>
            <Field term="Size">
              {lastSuccess.bytesStored !== null
                ? formatBytes(lastSuccess.bytesStored)
                : 'unknown'}
              {lastSuccess.bytesRaw !== null && (
                <Typography
                  component="span"
                  variant="body2"
                  color="textSecondary"
                >
                  {' '}
                  ({formatBytes(lastSuccess.bytesRaw)} before compression)
                </Typography>
              )}
            </Field>
            {lastSuccess.sha256 && (
              <Field term="sha256">
                <CopyableText
                  text={lastSuccess.sha256}
                  label="Copy sha256"
                  copied="sha256 copied"
                  testId="snapshot-sha256"
                />
              </Field>
            )}
            {lastSuccess.snapshotId && (
              <Field term="Snapshot">
                <span className={classes.mono}>{lastSuccess.snapshotId}</span>
              </Field>
            )}
            {lastSuccess.location && (
              <Field term="Location">
                <CopyableText
                  text={lastSuccess.location}
                  label="Copy location"
                  copied="Location copied"
                />
              </Field>
            )}
          </>
        )}
      </dl>
    </InfoCard>
  );
}
