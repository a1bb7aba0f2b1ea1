import type { IdentityApi } from '@backstage/core-plugin-api';

/** The identity, except that signing out also forgets the chosen demo identity. */
export function forgetOnSignOut(
  identity: IdentityApi,
  forget: () => void,
): IdentityApi {
  return {
    getProfileInfo: () => identity.getProfileInfo(),
    getBackstageIdentity: () => identity.getBackstageIdentity(),
    getCredentials: () => identity.getCredentials(),
    signOut: async () => {
      forget();
      await identity.signOut();
    },
  };
}
