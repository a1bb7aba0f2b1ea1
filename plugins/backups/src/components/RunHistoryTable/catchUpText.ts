import type { RunCatchUp } from '@safekeep/plugin-backups-common';
import { formatSpan } from '../../format/time';

/** "caught up 3 missed slots, queued 40 min late; 4 h since the last success, over the RPO of 2 h". */
export function catchUpText(catchUp: RunCatchUp): string {
  const missed =
    catchUp.missedSlots > 0
      ? `caught up ${catchUp.missedSlots} missed slot${
          catchUp.missedSlots === 1 ? '' : 's'
        }, queued`
      : 'queued';
  const rpo =
    catchUp.rpoMs !== null && catchUp.sinceLastSuccessMs !== null
      ? `; ${formatSpan(catchUp.sinceLastSuccessMs)} since the last success, ${
          catchUp.rpoExceeded ? 'over' : 'within'
        } the RPO of ${formatSpan(catchUp.rpoMs)}`
      : '';
  return `${missed} ${formatSpan(catchUp.lateMs)} late${rpo}`;
}
