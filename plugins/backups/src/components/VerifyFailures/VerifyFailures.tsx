import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { WarningPanel } from '@backstage/core-components';
import type { SnapshotVerificationSummary } from '@safekeep/plugin-backups-common';
import { TimeText } from '../TimeText';

/**
 * Snapshots a scheduled verify found broken: flagged, never counted by retention as good ones.
 * Nothing shows while every snapshot verified passes.
 */
export function VerifyFailures(props: {
  verification: SnapshotVerificationSummary | null | undefined;
}) {
  const failed = props.verification?.failed ?? [];
  if (failed.length === 0) return null;
  return (
    <WarningPanel
      severity="error"
      title={`${failed.length} snapshot${
        failed.length === 1 ? '' : 's'
      } failed scheduled verification`}
      defaultExpanded
    >
      <Typography variant="body2" paragraph>
        They no longer match their manifests: restores refuse them and retention
        does not count them as good backups (they stay for inspection). Check
        the storage and take a new backup.
      </Typography>
      <Table size="small" aria-label="Snapshots that failed verification">
        <TableHead>
          <TableRow>
            <TableCell>Snapshot</TableCell>
            <TableCell>Tier</TableCell>
            <TableCell>Verified</TableCell>
            <TableCell>Problem</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {failed.map(f => (
            <TableRow key={`${f.tier}/${f.snapshotId}`}>
              <TableCell>
                <code>{f.snapshotId}</code>
              </TableCell>
              <TableCell>{f.tier}</TableCell>
              <TableCell>
                <TimeText iso={f.verifiedAt} />
              </TableCell>
              <TableCell>{f.problem ?? '—'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </WarningPanel>
  );
}
