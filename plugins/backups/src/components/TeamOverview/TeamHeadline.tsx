import type { ReactNode } from 'react';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type {} from '@backstage/theme';
import type { TeamOverview } from '@safekeep/plugin-backups-common';
import { formatBytes } from '../../format/bytes';
import { formatPercent } from '../../format/percent';
import { HEALTH_PRESENTATION, HealthTone } from '../BackupHealthStatus';
import { TimeText } from '../TimeText';

const useStyles = makeStyles(theme => ({
  tiles: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))',
    gap: theme.spacing(2),
    margin: 0,
  },
  tile: {
    display: 'flex',
    flexDirection: 'column-reverse',
    justifyContent: 'flex-end',
    padding: theme.spacing(1, 1.5),
    borderLeft: `4px solid ${theme.palette.divider}`,
  },
  label: { color: theme.palette.text.secondary },
  value: {
    margin: 0,
    fontSize: theme.typography.h5.fontSize,
    fontWeight: theme.typography.fontWeightBold as number,
  },
  detail: {
    display: 'block',
    color: theme.palette.text.secondary,
    fontWeight: theme.typography.fontWeightRegular as number,
    fontSize: theme.typography.caption.fontSize,
  },
  ok: { borderLeftColor: theme.palette.status.ok },
  warning: { borderLeftColor: theme.palette.status.warning },
  error: { borderLeftColor: theme.palette.status.error },
  neutral: {},
}));

/** One number with its label; the label is the dt so screen readers read "Failing: 2". */
function Tile(props: {
  label: string;
  tone?: HealthTone;
  detail?: ReactNode;
  children: ReactNode;
}) {
  const classes = useStyles();
  return (
    <div
      className={`${classes.tile} ${classes[props.tone ?? 'neutral']}`}
      data-tone={props.tone ?? 'neutral'}
    >
      <dd className={classes.value}>
        {props.children}
        {props.detail && <span className={classes.detail}>{props.detail}</span>}
      </dd>
      <dt className={classes.label}>
        <Typography variant="body2" component="span">
          {props.label}
        </Typography>
      </dt>
    </div>
  );
}

/** Counts that matter only when they are not zero: coloured by their health, neutral at zero. */
function toneWhenPresent(count: number, tone: HealthTone): HealthTone {
  return count > 0 ? tone : 'neutral';
}

/** 95 % and up reads as healthy, below 80 % as failing. */
function successRateTone(share: number | null): HealthTone {
  if (share === null) return 'neutral';
  if (share >= 0.95) return 'ok';
  return share >= 0.8 ? 'warning' : 'error';
}

function growthText(bytes: number | null): string {
  if (bytes === null) return 'growth: not enough history yet';
  return `${bytes >= 0 ? '+' : ''}${formatBytes(bytes)} in 30 days`;
}

const HEALTH_COUNTS = [
  'ok',
  'late',
  'stale',
  'failing',
  'never',
  'invalid',
] as const;

/**
 * A team's headline numbers. `compact` keeps the few a group's overview card needs:
 * how much is protected, how much needs attention, and how reliable the backups were.
 */
export function TeamHeadline(props: {
  overview: TeamOverview;
  compact?: boolean;
}) {
  const classes = useStyles();
  const { counts, successRate30d } = props.overview;
  const needsAttention =
    counts.late + counts.stale + counts.failing + counts.never + counts.invalid;

  // Both layouts open with how many of the team's resources are protected at all.
  const coverage = (
    <>
      <Tile label="Protected">{counts.protected}</Tile>
      <Tile
        label="Unprotected"
        tone={toneWhenPresent(counts.unprotected, 'warning')}
      >
        {counts.unprotected}
      </Tile>
    </>
  );
  const successRate = (
    <Tile label="Success rate, 30 days" tone={successRateTone(successRate30d)}>
      {successRate30d === null ? 'no runs' : formatPercent(successRate30d)}
    </Tile>
  );

  if (props.compact) {
    return (
      <dl className={classes.tiles}>
        {coverage}
        <Tile
          label="Need attention"
          tone={needsAttention > 0 ? 'error' : 'ok'}
          detail={
            needsAttention > 0
              ? 'late, stale, failing, never or invalid'
              : undefined
          }
        >
          {needsAttention}
        </Tile>
        {successRate}
      </dl>
    );
  }

  return (
    <dl className={classes.tiles}>
      {coverage}
      {HEALTH_COUNTS.map(health => {
        const { label, tone } = HEALTH_PRESENTATION[health];
        return (
          <Tile
            key={health}
            label={label}
            tone={toneWhenPresent(counts[health], tone)}
          >
            {counts[health]}
          </Tile>
        );
      })}
      {successRate}
      <Tile
        label="Storage used"
        detail={growthText(props.overview.growthBytes30d)}
      >
        {formatBytes(
          props.overview.storageUsedBytes ?? props.overview.bytesStored,
        )}
      </Tile>
      <Tile label="Last verified restore">
        {props.overview.lastVerifiedRestoreAt ? (
          <TimeText iso={props.overview.lastVerifiedRestoreAt} />
        ) : (
          'never'
        )}
      </Tile>
      <Tile
        label="Drills overdue"
        tone={toneWhenPresent(counts.drillsOverdue, 'warning')}
      >
        {counts.drillsOverdue}
      </Tile>
      <Tile
        label="Drills failing"
        tone={toneWhenPresent(counts.drillsFailing, 'error')}
      >
        {counts.drillsFailing}
      </Tile>
    </dl>
  );
}
