import useAsync from 'react-use/esm/useAsync';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { BackupRun } from '@safekeep/plugin-backups-common';
import { backupsApiRef } from '../api';

/** The newest runs the size trend looks at (a year of daily backups plus some). */
export const TREND_RUN_LIMIT = 400;
/** Asked for in pages, so a backend that caps `limit` still yields every run. */
const PAGE_SIZE = 100;

/**
 * Reads up to TREND_RUN_LIMIT of an entity's newest runs. `refreshKey` changes when a
 * run starts or finishes, to read again; the previous runs stay visible meanwhile.
 */
export function useTrendRuns(entityRef: CompoundEntityRef, refreshKey: string) {
  const api = useApi(backupsApiRef);
  const { kind, namespace, name } = entityRef;
  return useAsync(async () => {
    const runs: BackupRun[] = [];
    while (runs.length < TREND_RUN_LIMIT) {
      const page = await api.listRuns(
        { kind, namespace, name },
        {
          limit: Math.min(PAGE_SIZE, TREND_RUN_LIMIT - runs.length),
          offset: runs.length,
        },
      );
      runs.push(...page.items);
      if (page.items.length === 0 || runs.length >= page.total) break;
    }
    return runs;
  }, [api, kind, namespace, name, refreshKey]);
}
