import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsync from 'react-use/esm/useAsync';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { RestoreRequest } from '@safekeep/plugin-backups-common';
import { backupsApiRef, errorMessage } from '../../api';
import { restoreStatusLabel } from '../RestoreHistoryTable/restoreStatus';
import { RestorePreviewPanel } from '../RestorePreview';
import {
  EMPTY_FORM,
  RestoreFormValues,
  RestoreRequestForm,
  toCreateRequest,
} from './RestoreRequestForm';

/** After submitting: the stored request with its preview. Approving is for someone else. */
function CreatedRequest(props: { request: RestoreRequest }) {
  const { request } = props;
  const refused = request.status === 'refused';
  return (
    <Box>
      <Alert severity={refused ? 'error' : 'info'} style={{ marginBottom: 16 }}>
        {refused
          ? 'The preview found reasons the agent would refuse this restore, so it was recorded as refused and can never be approved.'
          : `Request recorded (${restoreStatusLabel(
              request.status,
            ).toLowerCase()}). Someone else who may approve restores of this entity must approve it before ${new Date(
              request.expiresAt,
            ).toLocaleString()}; they were notified.`}
      </Alert>
      <RestorePreviewPanel preview={request.preview} />
    </Box>
  );
}

/** The restore request dialog: pick, preview, submit. */
export function RestoreDialog(props: {
  entityRef: CompoundEntityRef;
  group: boolean;
  open: boolean;
  onClose(): void;
  onCreated(request: RestoreRequest): void;
}) {
  const { entityRef, group, open, onClose, onCreated } = props;
  const api = useApi(backupsApiRef);
  const [values, setValues] = useState<RestoreFormValues>(EMPTY_FORM);
  const [missing, setMissing] = useState<string>();
  const snapshots = useAsync(
    async () => (open && !group ? api.listSnapshots(entityRef) : []),
    [api, entityRef, open, group],
  );
  // Other entities of the same engine, offered when restoring into another entity's target.
  const wantsChoices = open && values.destinationKind === 'entity';
  const targets = useAsync(
    async () => (wantsChoices ? api.listTargets() : undefined),
    [api, wantsChoices],
  );
  const engine = snapshots.value?.[0]?.engine;
  const self = stringifyEntityRef(entityRef);
  const destinationChoices = (targets.value ?? []).filter(
    t => t.entityRef !== self && (!engine || !t.engine || t.engine === engine),
  );

  const [submitted, submit] = useAsyncFn(async () => {
    const request = toCreateRequest(values);
    if ('missing' in request) {
      setMissing(request.missing);
      return undefined;
    }
    setMissing(undefined);
    const created = await api.requestRestore(entityRef, request);
    onCreated(created);
    return created;
  }, [api, entityRef, values, onCreated]);

  const close = () => {
    setValues(EMPTY_FORM);
    setMissing(undefined);
    onClose();
  };
  const created = submitted.value;
  const refused = created?.status === 'refused';

  return (
    <Dialog
      open={open}
      onClose={close}
      maxWidth="md"
      fullWidth
      aria-labelledby="restore-dialog-title"
    >
      <DialogTitle id="restore-dialog-title">Request a restore</DialogTitle>
      <DialogContent>
        {created ? (
          <CreatedRequest request={created} />
        ) : (
          <>
            {snapshots.error && (
              <Alert severity="warning" style={{ marginBottom: 16 }}>
                Could not list the snapshots ({errorMessage(snapshots.error)});
                the latest is used.
              </Alert>
            )}
            <RestoreRequestForm
              values={values}
              onChange={setValues}
              snapshots={snapshots.value}
              destinationChoices={destinationChoices}
              group={group}
            />
            {submitted.loading && (
              <Box display="flex" alignItems="center" mt={2} role="status">
                <CircularProgress size={16} />
                <Typography variant="body2" style={{ marginLeft: 8 }}>
                  The agent is verifying the snapshot for the preview…
                </Typography>
              </Box>
            )}
            {missing && (
              <Alert severity="warning" style={{ marginTop: 16 }}>
                {missing}
              </Alert>
            )}
            {submitted.error && (
              <Alert severity="error" style={{ marginTop: 16 }}>
                Could not request the restore: {errorMessage(submitted.error)}
              </Alert>
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        {created ? (
          <>
            <Typography
              variant="caption"
              color={refused ? 'error' : 'textSecondary'}
              style={{ flex: 1 }}
            >
              {refused
                ? 'Refused requests cannot be approved.'
                : 'You asked for it, so someone else must approve it.'}
            </Typography>
            <Button disabled variant="contained" color="primary">
              Approve
            </Button>
            <Button onClick={close}>Close</Button>
          </>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button
              variant="contained"
              color="primary"
              onClick={() => submit()}
              disabled={submitted.loading}
            >
              Request restore
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}
