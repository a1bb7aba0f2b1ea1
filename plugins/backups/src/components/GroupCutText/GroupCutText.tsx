import Typography from '@material-ui/core/Typography';
import type { GroupCut } from '@safekeep/plugin-backups-common';
import { formatSpan } from '../../format/time';

const PHASES: Array<[string, string]> = [
  ['preflightMs', 'preflight'],
  ['readyMs', 'ready'],
  ['cutMs', 'cut'],
  ['dumpMs', 'dump'],
  ['streamMs', 'stream'],
  ['commitMs', 'commit'],
];

const span = (ms: number) => (ms < 1000 ? `${ms} ms` : formatSpan(ms));

/**
 * How a member run's consistency group was cut, under its downtime: the mode, what was
 * stopped, when the point in time was fixed, and this member's phase times.
 */
export function GroupCutText(props: { cut: GroupCut }) {
  const { cut } = props;
  const stopped =
    cut.stoppedContainers.length === 0
      ? 'nothing stopped'
      : `${
          cut.mode === 'cut' ? 'writers' : 'all'
        } stopped: ${cut.stoppedContainers.join(', ')}`;
  const at = cut.cutAt
    ? ` · cut at ${new Date(cut.cutAt).toLocaleTimeString()}`
    : '';
  const phases = PHASES.filter(([key]) => cut.phases[key] !== undefined)
    .map(([key, label]) => `${label} ${span(cut.phases[key])}`)
    .join(' · ');
  return (
    <Typography variant="caption" color="textSecondary" display="block">
      {`group ${cut.mode} (${stopped})${at}`}
      {phases && <span style={{ display: 'block' }}>{phases}</span>}
    </Typography>
  );
}
