import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/catalog-model/alpha';

/** Read an entity's backup status, runs and snapshots. */
export const backupsReadPermission = createPermission({
  name: 'backups.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Start a backup of an entity now. */
export const backupsRunCreatePermission = createPermission({
  name: 'backups.run.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Ask for a restore of an entity. */
export const backupsRestoreRequestPermission = createPermission({
  name: 'backups.restore.request',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Approve or reject someone else's restore request. */
export const backupsRestoreApprovePermission = createPermission({
  name: 'backups.restore.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

export const backupsPermissions = [
  backupsReadPermission,
  backupsRunCreatePermission,
  backupsRestoreRequestPermission,
  backupsRestoreApprovePermission,
];
