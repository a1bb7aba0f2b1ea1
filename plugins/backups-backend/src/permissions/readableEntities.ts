import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { backupsReadPermission } from '@safekeep/plugin-backups-common';

/**
 * The entities (of those given) whose backups the caller may read: `backups.read` decided per
 * entity in one batch, so lists (team overview, targets) show only what the caller may see.
 */
export async function readableEntities(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
  entityRefs: string[],
): Promise<Set<string>> {
  if (entityRefs.length === 0) return new Set();
  const decisions = await permissions.authorize(
    entityRefs.map(resourceRef => ({
      permission: backupsReadPermission,
      resourceRef,
    })),
    { credentials },
  );
  return new Set(
    entityRefs.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW),
  );
}
