import {
  ApiBlueprint,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { backupsApiRef, BackupsClient } from '../api';

/** The BackupsClient for the new frontend system. */
export const backupsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: backupsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new BackupsClient({ discoveryApi, fetchApi }),
    }),
});
