import type { IdentityApi } from '@backstage/core-plugin-api';
import { forgetOnSignOut } from './forgetOnSignOut';

describe('forgetOnSignOut', () => {
  it('forgets the chosen identity before signing out, and passes everything else through', async () => {
    const order: string[] = [];
    const identity: IdentityApi = {
      getProfileInfo: async () => ({ displayName: 'Approver' }),
      getBackstageIdentity: async () => ({
        type: 'user',
        userEntityRef: 'user:default/approver',
        ownershipEntityRefs: ['group:default/restore-approvers'],
      }),
      getCredentials: async () => ({ token: 'a-token' }),
      signOut: async () => {
        order.push('signOut');
      },
    };
    const wrapped = forgetOnSignOut(identity, () => order.push('forget'));

    expect((await wrapped.getBackstageIdentity()).userEntityRef).toBe(
      'user:default/approver',
    );
    expect(await wrapped.getCredentials()).toEqual({ token: 'a-token' });
    expect(order).toEqual([]);
    await wrapped.signOut();
    expect(order).toEqual(['forget', 'signOut']);
  });
});
