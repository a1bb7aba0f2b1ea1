/*
 * A second demo identity, so that a restore one person asks for can be approved by another in
 * the dev portal. Like the guest provider it signs in without credentials, so it is refused
 * outside development: never enable it in a real installation.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

export const DEMO_APPROVER_PROVIDER_ID = 'demo-approver';

const demoApproverAuthenticator = createProxyAuthenticator({
  defaultProfileTransform: async () => ({ profile: {} }),
  initialize: () => ({ disabled: process.env.NODE_ENV !== 'development' }),
  async authenticate(_, { disabled }) {
    if (disabled) {
      throw new NotAllowedError(
        `The ${DEMO_APPROVER_PROVIDER_ID} sign-in signs in without credentials and only works in development (NODE_ENV=development); remove auth.providers.${DEMO_APPROVER_PROVIDER_ID} from the config`,
      );
    }
    return { result: {} };
  },
});

/** Signs in as the catalog user named by `auth.providers.demo-approver.userEntityRef`. */
export const demoApproverAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'safekeep-demo-approver-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ providers, config }) {
        const providerConfig = config.getOptionalConfig(
          `auth.providers.${DEMO_APPROVER_PROVIDER_ID}`,
        );
        if (!providerConfig) return;
        const userEntityRef = providerConfig.getString('userEntityRef');
        providers.registerProvider({
          providerId: DEMO_APPROVER_PROVIDER_ID,
          factory: createProxyAuthProviderFactory({
            authenticator: demoApproverAuthenticator,
            signInResolver: async (_, ctx) =>
              ctx.signInWithCatalogUser({ entityRef: userEntityRef }),
          }),
        });
      },
    });
  },
});
