import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import BackupIcon from '@material-ui/icons/Backup';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { backupsRunCreatePermission } from '@safekeep/plugin-backups-common';
import { backupsApiRef, errorMessage, isRunConflict } from '../../api';

/**
 * Starts a backup of the entity now. `onStarted` gets the new run's id, or no id when the
 * backend said one is already running; either way the caller starts watching it.
 */
export function BackUpNowButton(props: {
  entityRef: CompoundEntityRef;
  running: boolean;
  onStarted(runId?: string): void;
}) {
  const api = useApi(backupsApiRef);
  const { entityRef, running, onStarted } = props;
  const permission = usePermission({
    permission: backupsRunCreatePermission,
    resourceRef: stringifyEntityRef(entityRef),
  });

  const [{ loading: starting, error }, start] = useAsyncFn(async () => {
    try {
      const response = await api.startRun(entityRef);
      onStarted(response.runId);
      return response;
    } catch (e) {
      if (isRunConflict(e)) onStarted();
      throw e;
    }
  }, [api, entityRef, onStarted]);

  const denied = !permission.loading && !permission.allowed;

  return (
    <Box>
      <Button
        variant="contained"
        color="primary"
        aria-label="Back up now"
        startIcon={
          starting ? (
            <CircularProgress size={16} color="inherit" />
          ) : (
            <BackupIcon />
          )
        }
        disabled={starting || running || permission.loading || denied}
        onClick={() => start()}
      >
        Back up now
      </Button>
      {running && (
        <Typography variant="caption" color="textSecondary" display="block">
          A backup is in progress; you can start another once it has finished.
        </Typography>
      )}
      {denied && (
        <Typography variant="caption" color="textSecondary" display="block">
          You may not start backups of this entity (permission
          backups.run.create).
        </Typography>
      )}
      {error && !starting && (
        <Box mt={1}>
          {isRunConflict(error) ? (
            <Alert severity="info">
              A backup of this entity is already running, so no new one was
              started. Its progress shows here.
              <Typography variant="caption" display="block">
                Server: {errorMessage(error)}
              </Typography>
            </Alert>
          ) : (
            <Alert severity="error">
              Could not start a backup: {errorMessage(error)}
            </Alert>
          )}
        </Box>
      )}
    </Box>
  );
}
