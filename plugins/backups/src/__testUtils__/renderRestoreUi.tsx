import type { ReactElement } from 'react';
import { identityApiRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { backupsApiRef, BackupsApi } from '../api';

/** Renders restore UI in a test app as `user`, with the given BackupsApi and permissions. */
export function renderRestoreUi(
  element: ReactElement,
  options: {
    api: BackupsApi;
    user?: string;
    permission?: ReturnType<typeof mockApis.permission>;
  },
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [backupsApiRef, options.api],
        [permissionApiRef, options.permission ?? mockApis.permission()],
        [
          identityApiRef,
          mockApis.identity({
            userEntityRef: options.user ?? 'user:default/bob',
          }),
        ],
      ]}
    >
      {element}
    </TestApiProvider>,
    // Requests link to their entity's page.
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}
