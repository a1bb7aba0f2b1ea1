import { useCallback } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { backupsApiRef } from '../../api';
import { RestoreDecisionCard } from './RestoreDecisionCard';

/**
 * Restore requests waiting for approval, with approve and reject for people who may decide
 * (never their own). For one entity on its Backups tab, or across the catalog on a page.
 */
export function PendingApprovals(props: {
  entityRef?: CompoundEntityRef;
  /** Changes when a request was made elsewhere on the page: the list is read again. */
  refreshKey?: string | number;
  onDecided?(): void;
}) {
  const { entityRef, refreshKey, onDecided } = props;
  const api = useApi(backupsApiRef);
  const identityApi = useApi(identityApiRef);
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );
  const pending = useAsyncRetry(
    () => api.listRestores({ status: 'pending', entity: entityRef }),
    [api, entityRef, refreshKey],
  );
  const { retry } = pending;
  const decide = useCallback(
    async (id: string, decision: 'approve' | 'reject', comment: string) => {
      await api.decideRestore(id, decision, comment);
      retry();
      onDecided?.();
    },
    [api, retry, onDecided],
  );
  const withdraw = useCallback(
    async (id: string) => {
      await api.withdrawRestore(id);
      retry();
      onDecided?.();
    },
    [api, retry, onDecided],
  );

  if (pending.loading && !pending.value) return <Progress />;
  if (pending.error)
    return (
      <ResponseErrorPanel
        error={pending.error}
        title="Could not read the restore requests"
      />
    );
  const requests = pending.value ?? [];
  if (requests.length === 0) {
    return (
      <Typography variant="body2">
        No restore request waits for approval.
      </Typography>
    );
  }
  return (
    <Box
      display="flex"
      flexDirection="column"
      style={{ gap: 16 }}
      aria-label="Pending restore approvals"
    >
      {requests.map(request => (
        <RestoreDecisionCard
          key={request.id}
          request={request}
          user={identity.value?.userEntityRef}
          decide={(decision, comment) => decide(request.id, decision, comment)}
          withdraw={() => withdraw(request.id)}
        />
      ))}
    </Box>
  );
}
