import type { ReactElement } from 'react';
import type { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { backupsApiRef, BackupsApi } from '../api';

/** Renders an element on an entity page of a test app, with the given BackupsApi. */
export function renderWithEntity(
  element: ReactElement,
  options: {
    entity: Entity;
    api: BackupsApi;
    permission?: ReturnType<typeof mockApis.permission>;
  },
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [backupsApiRef, options.api],
        [permissionApiRef, options.permission ?? mockApis.permission()],
      ]}
    >
      <EntityProvider entity={options.entity}>{element}</EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}
