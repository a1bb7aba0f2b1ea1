import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import RestoreIcon from '@material-ui/icons/Restore';
import {
  CompoundEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  backupsRestoreRequestPermission,
  RestoreRequest,
} from '@safekeep/plugin-backups-common';
import { RestoreDialog } from './RestoreDialog';

/** "Request restore": opens the dialog for people who may ask for restores of the entity. */
export function RequestRestoreButton(props: {
  entityRef: CompoundEntityRef;
  /** A System with a consistency group: restored as a whole. */
  group?: boolean;
  onCreated?(request: RestoreRequest): void;
}) {
  const { entityRef, onCreated } = props;
  const [open, setOpen] = useState(false);
  const permission = usePermission({
    permission: backupsRestoreRequestPermission,
    resourceRef: stringifyEntityRef(entityRef),
  });
  const denied = !permission.loading && !permission.allowed;
  return (
    <Box>
      <Button
        variant="outlined"
        color="primary"
        startIcon={<RestoreIcon />}
        disabled={permission.loading || denied}
        onClick={() => setOpen(true)}
      >
        Request restore
      </Button>
      {denied && (
        <Typography variant="caption" color="textSecondary" display="block">
          You may not ask for restores of this entity (permission
          backups.restore.request).
        </Typography>
      )}
      <RestoreDialog
        entityRef={entityRef}
        group={Boolean(props.group)}
        open={open}
        onClose={() => setOpen(false)}
        onCreated={request => onCreated?.(request)}
      />
    </Box>
  );
}
