import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type {} from '@backstage/theme';
import type { BackupHealth } from '@safekeep/plugin-backups-common';
import { HEALTH_PRESENTATION } from './healthPresentation';

// Colours come from the theme's status palette so they stay legible in dark mode.
const useStyles = makeStyles(theme => ({
  root: { fontWeight: theme.typography.fontWeightBold as number },
  ok: { color: theme.palette.status.ok },
  warning: { color: theme.palette.status.warning },
  error: { color: theme.palette.status.error },
  neutral: { color: theme.palette.text.secondary },
}));

/** The health of an entity's backups as a coloured word, e.g. "Failing" in the error colour. */
export function BackupHealthStatus(props: {
  health: BackupHealth;
  variant?: 'h5' | 'h6' | 'body1' | 'body2';
}) {
  const classes = useStyles();
  const { label, tone } = HEALTH_PRESENTATION[props.health];
  return (
    <Typography
      component="span"
      variant={props.variant ?? 'h5'}
      className={`${classes.root} ${classes[tone]}`}
      data-health={props.health}
    >
      {label}
    </Typography>
  );
}
