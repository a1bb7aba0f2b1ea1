import type { ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import type { RestorePreview } from '@safekeep/plugin-backups-common';
import { formatBytes } from '../../format/bytes';
import { formatSpan } from '../../format/time';
import { TimeText } from '../TimeText';

function Row(props: { label: string; children: ReactNode }) {
  return (
    <Box display="flex" mb={1}>
      <Typography
        variant="body2"
        color="textSecondary"
        style={{ minWidth: 170 }}
      >
        {props.label}
      </Typography>
      <Box flex={1}>{props.children}</Box>
    </Box>
  );
}

/** The expected downtime, from the median downtime of the target's past backups. */
export function downtimeText(medianMs: number | null): string {
  if (medianMs === null)
    return 'Unknown: no past backup of this target recorded a downtime';
  if (medianMs === 0) return 'None expected: past backups stopped nothing';
  return `About ${formatSpan(medianMs)} (median of past backups)`;
}

/**
 * What a restore will do, as computed before anyone approves: the snapshot and its
 * verification, what gets stopped and for how long, and, in red, why it cannot run.
 */
export function RestorePreviewPanel(props: { preview: RestorePreview }) {
  const { preview } = props;
  return (
    <Box aria-label="Restore preview" role="region">
      {preview.refusals.length > 0 && (
        <Alert severity="error" role="alert" style={{ marginBottom: 16 }}>
          <AlertTitle>Refused: this restore cannot be approved</AlertTitle>
          <List dense disablePadding>
            {preview.refusals.map(refusal => (
              <ListItem key={refusal} disableGutters>
                <ListItemText primary={refusal} />
              </ListItem>
            ))}
          </List>
        </Alert>
      )}
      <Row label="Snapshot">
        <Typography variant="body2">
          <code>{preview.snapshotId}</code>
          {preview.snapshotCreatedAt && (
            <>
              {' '}
              taken <TimeText iso={preview.snapshotCreatedAt} showAbsolute />
            </>
          )}
        </Typography>
      </Row>
      <Row label="Verification">
        <Typography
          variant="body2"
          data-testid="restore-verification"
          color={preview.verified ? 'textPrimary' : 'error'}
        >
          {preview.verified ? 'Verified. ' : 'Not verified. '}
          {preview.verification}
        </Typography>
      </Row>
      <Row label="Containers stopped">
        <Typography variant="body2">
          {preview.containersToStop.length > 0
            ? preview.containersToStop.join(', ')
            : 'None'}
        </Typography>
      </Row>
      <Row label="Expected downtime">
        <Typography variant="body2">
          {downtimeText(preview.expectedDowntimeMs)}
        </Typography>
      </Row>
      <Row label="Destination data">
        <Typography variant="body2">
          {preview.overwrites
            ? 'Overwritten: the restore replaces what the destination holds now.'
            : 'Kept: the agent refuses to restore into a destination that holds data.'}
        </Typography>
      </Row>
      <Row label="Artifacts">
        {preview.artifacts.length === 0 ? (
          <Typography variant="body2">None listed</Typography>
        ) : (
          preview.artifacts.map(artifact => (
            <Typography variant="body2" key={artifact.name}>
              {artifact.name}, {formatBytes(artifact.bytes)},{' '}
              <code title={artifact.sha256}>
                sha256 {artifact.sha256.slice(0, 12)}
              </code>
            </Typography>
          ))
        )}
      </Row>
    </Box>
  );
}
