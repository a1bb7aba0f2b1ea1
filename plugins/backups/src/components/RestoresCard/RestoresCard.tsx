import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { PendingApprovals } from '../PendingApprovals';
import { RequestRestoreButton } from '../RestoreDialog';
import { RestoreHistoryTable } from '../RestoreHistoryTable';

/** The Backups tab's restore section: request, pending approvals, history. */
export function RestoresCard(props: {
  entityRef: CompoundEntityRef;
  group?: boolean;
}) {
  const { entityRef, group } = props;
  // Bumped after a request or a decision: both lists read again.
  const [refreshKey, setRefreshKey] = useState(0);
  const refresh = () => setRefreshKey(key => key + 1);
  return (
    <InfoCard
      title="Restores"
      action={
        <RequestRestoreButton
          entityRef={entityRef}
          group={group}
          onCreated={refresh}
        />
      }
    >
      <Typography variant="h6" gutterBottom>
        Waiting for approval
      </Typography>
      <PendingApprovals
        entityRef={entityRef}
        refreshKey={refreshKey}
        onDecided={refresh}
      />
      <Box mt={3}>
        <RestoreHistoryTable entityRef={entityRef} refreshKey={refreshKey} />
      </Box>
    </InfoCard>
  );
}
