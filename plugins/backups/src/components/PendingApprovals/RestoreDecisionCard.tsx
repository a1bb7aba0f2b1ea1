import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Card from '@material-ui/core/Card';
import CardActions from '@material-ui/core/CardActions';
import CardContent from '@material-ui/core/CardContent';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  backupsRestoreApprovePermission,
  RestoreRequest,
} from '@safekeep/plugin-backups-common';
import { errorMessage } from '../../api';
import { destinationText } from '../../format/destination';
import { RestorePreviewPanel } from '../RestorePreview';
import { TimeText } from '../TimeText';

/** Where the request restores: a whole group in place, or one target's destination. */
function restoreWhere(request: RestoreRequest): string {
  if (request.group)
    return `in place, every member of group ${request.group.name}`;
  return destinationText(request.destination);
}

/** Why the person looking may not decide, or undefined when they may. */
function blockedReason(
  request: RestoreRequest,
  user: string | undefined,
  allowed: boolean,
  allowedIntoDestination: boolean,
): string | undefined {
  if (request.status === 'refused')
    return 'Refused at preview: it can never be approved.';
  if (request.status !== 'pending') return `Already ${request.status}.`;
  if (user && request.requestedBy === user)
    return 'You asked for this restore, so someone else must approve it.';
  if (!allowed)
    return 'You may not approve restores of this entity (permission backups.restore.approve).';
  if (!allowedIntoDestination)
    return `You may not approve restores into ${request.destination.entityRef} (permission backups.restore.approve).`;
  return undefined;
}

/** One request to decide on: who asked and why, the preview, a comment, approve or reject. */
export function RestoreDecisionCard(props: {
  request: RestoreRequest;
  /** The signed-in user's entity ref. */
  user?: string;
  decide(decision: 'approve' | 'reject', comment: string): Promise<unknown>;
  /** Takes the request back; offered to its requester while it is pending. */
  withdraw?(): Promise<unknown>;
}) {
  const { request, user, decide, withdraw } = props;
  const [comment, setComment] = useState('');
  const permission = usePermission({
    permission: backupsRestoreApprovePermission,
    resourceRef: request.entityRef,
  });
  // A restore into another entity writes its data: deciding needs the right there too.
  const { destination } = request;
  const intoDestination = usePermission({
    permission: backupsRestoreApprovePermission,
    resourceRef:
      destination.kind === 'entity' && destination.entityRef
        ? destination.entityRef
        : request.entityRef,
  });
  const blocked =
    permission.loading || intoDestination.loading
      ? 'Checking your permission…'
      : blockedReason(
          request,
          user,
          permission.allowed,
          intoDestination.allowed,
        );
  const [state, run] = useAsyncFn(
    (decision: 'approve' | 'reject' | 'withdraw') =>
      decision === 'withdraw' ? withdraw!() : decide(decision, comment),
    [decide, withdraw, comment],
  );
  const mayWithdraw =
    Boolean(withdraw) &&
    request.status === 'pending' &&
    Boolean(user) &&
    request.requestedBy === user;
  return (
    <Card
      variant="outlined"
      component="article"
      aria-label={`Restore request ${request.id}`}
    >
      <CardContent>
        <Typography variant="subtitle1">
          <EntityRefLink entityRef={request.entityRef} />: snapshot{' '}
          <code>{request.snapshotId}</code>, {restoreWhere(request)}
        </Typography>
        <Typography variant="body2" gutterBottom>
          Asked by {request.requestedBy} <TimeText iso={request.requestedAt} />:
          “{request.reason}”. Expires <TimeText iso={request.expiresAt} />.
        </Typography>
        {request.group && (
          <Typography variant="body2" gutterBottom>
            Members, restored in this order:{' '}
            {request.group.members
              .map(m => `${m.entityRef} (${m.snapshotId})`)
              .join(', ')}
          </Typography>
        )}
        <Box mt={2}>
          <RestorePreviewPanel preview={request.preview} />
        </Box>
        {!blocked && (
          <TextField
            id={`restore-comment-${request.id}`}
            label="Comment"
            helperText="Required to reject; kept in the history"
            value={comment}
            onChange={event => setComment(event.target.value)}
            fullWidth
            margin="dense"
          />
        )}
        {state.error && (
          <Alert severity="error" style={{ marginTop: 8 }}>
            Could not record the decision: {errorMessage(state.error)}
          </Alert>
        )}
      </CardContent>
      <CardActions>
        <Button
          variant="contained"
          color="primary"
          disabled={Boolean(blocked) || state.loading}
          onClick={() => run('approve')}
        >
          Approve
        </Button>
        <Button
          disabled={Boolean(blocked) || state.loading || !comment.trim()}
          onClick={() => run('reject')}
        >
          Reject
        </Button>
        {mayWithdraw && (
          <Button disabled={state.loading} onClick={() => run('withdraw')}>
            Withdraw
          </Button>
        )}
        {blocked && (
          <Typography
            variant="caption"
            color={request.status === 'refused' ? 'error' : 'textSecondary'}
          >
            {blocked}
          </Typography>
        )}
      </CardActions>
    </Card>
  );
}
