import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import type { BackupRun } from '@safekeep/plugin-backups-common';
import { RunStatus } from '../RunStatus';

/**
 * What a queued or running backup is doing now. A live region, so screen readers hear
 * the phase change ("dumping", "uploading", ...) as the summary is polled.
 */
export function RunProgress(props: { run: BackupRun | null }) {
  const { run } = props;
  const text = run
    ? `Backup ${run.status === 'queued' ? 'queued' : 'running'}${
        run.phase ? `, phase: ${run.phase}` : ''
      }`
    : 'Backup starting';
  return (
    <Box role="status" aria-live="polite" my={1}>
      <RunStatus status={run?.status ?? 'queued'}>{text}</RunStatus>
      <LinearProgress aria-label="Backup in progress" />
    </Box>
  );
}
