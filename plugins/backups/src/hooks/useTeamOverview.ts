import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { backupsApiRef } from '../api';

/** Reads one team's overview; `owner` is a group entity ref. Nothing is read without one. */
export function useTeamOverview(owner: string | undefined) {
  const api = useApi(backupsApiRef);
  return useAsyncRetry(
    async () => (owner ? api.getTeamOverview(owner) : undefined),
    [api, owner],
  );
}
