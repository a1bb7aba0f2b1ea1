import { useCallback, useEffect, useRef, useState } from 'react';
import useInterval from 'react-use/esm/useInterval';
import useMountedState from 'react-use/esm/useMountedState';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { EntityBackupSummary } from '@safekeep/plugin-backups-common';
import { backupsApiRef } from '../api';

/** How often the summary is re-read while a backup is queued or running. */
export const POLL_INTERVAL_MS = 2000;
/** How long to wait for a just-started run to show up before giving up on it. */
const WATCH_TIMEOUT_MS = 60_000;

export interface BackupSummaryState {
  summary?: EntityBackupSummary;
  /** The first load failed: there is nothing to show. */
  error?: Error;
  /** A later refresh failed: the last summary is still shown. */
  refreshError?: Error;
  loading: boolean;
  /** A run is queued or running (or was just started): the summary is being polled. */
  active: boolean;
  /** Says a run was just started (or found running), so polling starts at once. */
  watchRun(runId?: string): void;
}

/** Reads an entity's backup summary, and polls it every 2 s while a backup is in flight. */
export function useBackupSummary(
  entityRef: CompoundEntityRef,
): BackupSummaryState {
  const api = useApi(backupsApiRef);
  const isMounted = useMountedState();
  const { kind, namespace, name } = entityRef;
  const [summary, setSummary] = useState<EntityBackupSummary>();
  const [error, setError] = useState<Error>();
  const [refreshError, setRefreshError] = useState<Error>();
  const [watched, setWatched] = useState<{ runId?: string; until: number }>();
  const hasSummary = useRef(false);

  const load = useCallback(async () => {
    try {
      const next = await api.getSummary({ kind, namespace, name });
      if (!isMounted()) return;
      hasSummary.current = true;
      setSummary(next);
      setError(undefined);
      setRefreshError(undefined);
      setWatched(current =>
        current && !hasSettled(current, next) ? current : undefined,
      );
    } catch (e) {
      if (!isMounted()) return;
      if (hasSummary.current) setRefreshError(e);
      else setError(e);
    }
  }, [api, kind, namespace, name, isMounted]);

  useEffect(() => {
    hasSummary.current = false;
    setSummary(undefined);
    setError(undefined);
    load();
  }, [load]);

  const active = Boolean(summary?.runningRun) || watched !== undefined;
  useInterval(load, active ? POLL_INTERVAL_MS : null);

  const watchRun = useCallback(
    (runId?: string) => {
      setWatched({ runId, until: Date.now() + WATCH_TIMEOUT_MS });
      load();
    },
    [load],
  );

  return {
    summary,
    error,
    refreshError,
    loading: !summary && !error,
    active,
    watchRun,
  };
}

/** A watched run has settled once the summary shows it (or anything) running, or shows it finished. */
function hasSettled(
  watched: { runId?: string; until: number },
  summary: EntityBackupSummary,
): boolean {
  if (summary.runningRun) return true;
  if (watched.runId === undefined || summary.lastRun?.id === watched.runId)
    return true;
  return Date.now() > watched.until;
}
