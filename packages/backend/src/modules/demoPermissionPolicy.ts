/*
 * The demo portal's permission policy: everyone may do everything except approve restores,
 * which only members of the approvers group may do. It shows the four-eyes rule with a real
 * permission decision; a real installation writes its own policy (docs/install.md).
 */
import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { backupsRestoreApprovePermission } from '@safekeep/plugin-backups-common';

/** The demo catalog's group whose members may approve restores (examples/demo-catalog.yaml). */
export const DEMO_APPROVERS_GROUP = 'group:default/restore-approvers';

export class DemoPermissionPolicy implements PermissionPolicy {
  async handle(request: PolicyQuery, user?: PolicyQueryUser) {
    if (request.permission.name === backupsRestoreApprovePermission.name) {
      const refs = user?.info.ownershipEntityRefs ?? [];
      return {
        result: refs.includes(DEMO_APPROVERS_GROUP)
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export const demoPermissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'safekeep-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new DemoPermissionPolicy());
      },
    });
  },
});
