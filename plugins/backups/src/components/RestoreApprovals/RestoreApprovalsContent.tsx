import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { ContentHeader } from '@backstage/core-components';
import { PendingApprovals } from '../PendingApprovals';

/**
 * The approvers' queue: every restore request that waits for approval, across the catalog
 * (those of entities the signed-in user may read), each with its preview and approve/reject.
 */
export function RestoreApprovalsContent() {
  return (
    <>
      <ContentHeader title="Restore requests waiting for approval" />
      <Box mb={2}>
        <Typography variant="body2" color="textSecondary">
          Someone other than the requester, allowed to approve restores of the
          entity (backups.restore.approve), decides. A request the preview
          refused never shows here; one nobody decides on expires.
        </Typography>
      </Box>
      <PendingApprovals />
    </>
  );
}
