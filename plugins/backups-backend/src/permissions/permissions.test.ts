import { isResourcePermission } from '@backstage/plugin-permission-common';
import { backupsPermissions } from '@safekeep/plugin-backups-common';

describe('backups permissions', () => {
  // The router authorizes with the entity as resourceRef; the permission backend only accepts
  // that for resource permissions, and applies catalog conditions only for catalog-entity.
  it.each(backupsPermissions.map(p => [p.name, p]))(
    '%s is a catalog-entity resource permission',
    (_name, permission) => {
      expect(isResourcePermission(permission, 'catalog-entity')).toBe(true);
    },
  );
});
