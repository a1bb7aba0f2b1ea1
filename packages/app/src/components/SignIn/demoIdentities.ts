/** The identities the demo sign-in page offers: one asks for restores, the other approves them. */
export interface DemoIdentity {
  /** The auth provider that signs this identity in (app-config.yaml `auth.providers`). */
  provider: string;
  title: string;
  /** Who this is in the catalog, and what they may do. */
  description: string;
  button: string;
}

export const DEMO_IDENTITIES: DemoIdentity[] = [
  {
    provider: 'guest',
    title: 'Developer',
    description:
      'user:default/guest, a member of demo-team, which owns the notes platform. Backs up and asks for restores; cannot approve them.',
    button: 'Enter as developer',
  },
  {
    provider: 'demo-approver',
    title: 'Approver',
    description:
      'user:default/approver, a member of restore-approvers. Approves or rejects the restores other people ask for.',
    button: 'Enter as approver',
  },
];

/** Where the chosen identity is remembered, so a reload signs the same person in again. */
export const DEMO_IDENTITY_STORAGE_KEY = 'safekeep:demo-sign-in-provider';
