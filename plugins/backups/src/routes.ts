import { createRouteRef } from '@backstage/core-plugin-api';

/** Where the entity's Backups tab is mounted (the app chooses the path). */
export const rootRouteRef = createRouteRef({
  id: 'backups',
});

/** The team health page (the app mounts it, conventionally at `/backups`). */
export const teamPageRouteRef = createRouteRef({
  id: 'backups:team',
});
