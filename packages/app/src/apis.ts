import { AnyApiFactory } from '@backstage/core-plugin-api';

// The Backups plugin registers its own API client; the demo app needs no overrides.
export const apis: AnyApiFactory[] = [];
