import { createPermission } from '@backstage/plugin-permission-common';

/**
 * The catalog's resource type (RESOURCE_TYPE_CATALOG_ENTITY of @backstage/plugin-catalog-common).
 * Spelled out because @backstage/catalog-model/alpha no longer exports it: importing it from
 * there gave `undefined`, which made these basic permissions that the permission backend
 * refuses to evaluate with a resourceRef.
 */
const RESOURCE_TYPE_CATALOG_ENTITY = 'catalog-entity';

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
