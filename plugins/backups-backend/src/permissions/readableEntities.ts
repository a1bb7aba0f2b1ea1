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
  const unique = [...new Set(entityRefs)];
  if (unique.length === 0) return new Set();
  const decisions = await permissions.authorize(
    unique.map(resourceRef => ({
      permission: backupsReadPermission,
      resourceRef,
    })),
    { credentials },
  );
  return new Set(
    unique.filter((_, i) => decisions[i].result === AuthorizeResult.ALLOW),
  );
}
