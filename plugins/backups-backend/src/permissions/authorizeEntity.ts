import type {
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { Request } from 'express';
import { backupsReadPermission } from '@safekeep/plugin-backups-common';

/** Checks one permission on one entity for the caller of a request. */
export type AuthorizeEntity = (
  req: Request,
  permission: ResourcePermission,
  entityRef: string,
  /** What the caller tried, for the 403: `start a backup`. */
  action: string,
) => Promise<BackstageCredentials>;

/** Throws 403 unless the caller holds `permission` on the entity; returns the caller's credentials. */
export function entityAuthorizer(deps: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
}): AuthorizeEntity {
  return async (req, permission, entityRef, action) => {
    const credentials = await deps.httpAuth.credentials(req);
    const [decision] = await deps.permissions.authorize(
      [{ permission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You may not ${action} of ${entityRef} (permission ${permission.name})`,
      );
    }
    return credentials;
  };
}

/** The check of every route that only reads an entity's backups: `backups.read` on it. */
export function authorizeRead(
  authorize: AuthorizeEntity,
  req: Request,
  entityRef: string,
): Promise<BackstageCredentials> {
  return authorize(req, backupsReadPermission, entityRef, 'read the backups');
}
