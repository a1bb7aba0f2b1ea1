import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  backupsReadPermission,
  backupsRestoreApprovePermission,
  backupsRestoreRequestPermission,
} from '@safekeep/plugin-backups-common';
import {
  DEMO_APPROVERS_GROUP,
  DemoPermissionPolicy,
} from './demoPermissionPolicy';

function user(ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
  } as PolicyQueryUser;
}

describe('DemoPermissionPolicy', () => {
  const policy = new DemoPermissionPolicy();
  const guest = user(['user:default/guest', 'group:default/demo-team']);
  const approver = user(['user:default/approver', DEMO_APPROVERS_GROUP]);

  it('lets only members of restore-approvers approve restores', async () => {
    const approve = {
      permission: backupsRestoreApprovePermission,
      resourceRef: 'resource:default/notes-db',
    } as any;
    expect(await policy.handle(approve, guest)).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(await policy.handle(approve, approver)).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(await policy.handle(approve, undefined)).toEqual({
      result: AuthorizeResult.DENY,
    });
  });

  it('allows everything else, to everyone', async () => {
    for (const permission of [
      backupsReadPermission,
      backupsRestoreRequestPermission,
    ]) {
      expect(await policy.handle({ permission } as any, guest)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });
});
