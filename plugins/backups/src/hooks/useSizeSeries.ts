import useAsync from 'react-use/esm/useAsync';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { backupsApiRef } from '../api';

/**
 * Reads the stored size of each successful backup over `days` from the backend's sizes route.
 * `refreshKey` changes when a run starts or finishes; the previous series stays visible meanwhile.
 */
export function useSizeSeries(
  entityRef: CompoundEntityRef,
  days: number,
  refreshKey: string,
) {
  const api = useApi(backupsApiRef);
  const { kind, namespace, name } = entityRef;
  return useAsync(
    () => api.getSizes({ kind, namespace, name }, days),
    [api, kind, namespace, name, days, refreshKey],
  );
}
