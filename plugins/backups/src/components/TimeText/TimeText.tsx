import Typography from '@material-ui/core/Typography';
import { formatAbsoluteTime, formatRelativeTime } from '../../format/time';

/** A point in time as "3 hours ago", with the exact local time beside it or on hover. */
export function TimeText(props: { iso: string; showAbsolute?: boolean }) {
  const absolute = formatAbsoluteTime(props.iso);
  return (
    <>
      <time dateTime={props.iso} title={absolute}>
        {formatRelativeTime(props.iso)}
      </time>
      {props.showAbsolute && (
        <Typography
          component="span"
          variant="caption"
          color="textSecondary"
          display="block"
        >
          {absolute}
        </Typography>
      )}
    </>
  );
}
