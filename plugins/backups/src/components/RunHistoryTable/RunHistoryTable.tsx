import { useCallback, useEffect, useRef, useState } from 'react';
import Typography from '@material-ui/core/Typography';
import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import type { BackupRun } from '@safekeep/plugin-backups-common';
import { backupsApiRef } from '../../api';
import { formatBytes } from '../../format/bytes';
import { formatSpan } from '../../format/time';
import { GroupCutText } from '../GroupCutText';
import { RunStatus } from '../RunStatus';
import { TimeText } from '../TimeText';
import { catchUpText } from './catchUpText';
import { errorHint } from './errorHint';

export const RUNS_PAGE_SIZE = 10;

const dash = '—';

// Short values stay on one line; the error column takes the room that is left.
const oneLine = { whiteSpace: 'nowrap' } as const;

const columns: TableColumn<BackupRun>[] = [
  {
    title: 'Status',
    cellStyle: oneLine,
    render: run => <RunStatus status={run.status} />,
  },
  {
    title: 'Trigger',
    render: run => {
      if (run.trigger === 'user')
        return `Manual${run.triggeredBy ? ` by ${run.triggeredBy}` : ''}`;
      if (!run.catchUp) return 'Scheduled';
      // Slots missed (backend down, target busy): this one run caught them up.
      return (
        <>
          Scheduled
          <Typography
            variant="caption"
            color={run.catchUp.rpoExceeded ? 'error' : 'textSecondary'}
            display="block"
          >
            {catchUpText(run.catchUp)}
          </Typography>
        </>
      );
    },
  },
  {
    title: 'Started',
    render: run => (
      <TimeText iso={run.startedAt ?? run.createdAt} showAbsolute />
    ),
  },
  {
    title: 'Duration',
    cellStyle: oneLine,
    render: run =>
      run.durationMs === null ? dash : formatSpan(run.durationMs),
  },
  {
    title: 'Downtime',
    cellStyle: oneLine,
    render: run => {
      let downtime = dash;
      if (run.downtimeMs !== null)
        downtime = run.downtimeMs === 0 ? 'none' : formatSpan(run.downtimeMs);
      if (!run.groupCut) return downtime;
      return (
        <>
          {downtime}
          <GroupCutText cut={run.groupCut} />
        </>
      );
    },
  },
  {
    title: 'Size',
    cellStyle: oneLine,
    render: run =>
      run.bytesStored === null ? dash : formatBytes(run.bytesStored),
  },
  {
    title: 'sha256',
    cellStyle: oneLine,
    render: run =>
      run.sha256 ? (
        <code title={run.sha256} aria-label={`sha256 ${run.sha256}`}>
          {run.sha256.slice(0, 12)}
        </code>
      ) : (
        dash
      ),
  },
  {
    title: 'Error',
    // The message and its hint are sentences: give them room rather than a narrow column.
    cellStyle: { minWidth: 240 },
    render: run => {
      const hint = errorHint(run);
      if (!run.error && !hint) return null;
      return (
        <>
          {run.error && <Typography variant="body2">{run.error}</Typography>}
          {hint && (
            <Typography variant="caption" color="textSecondary" display="block">
              {hint}
            </Typography>
          )}
        </>
      );
    },
  },
];

/**
 * The entity's runs, newest first, paged by the backend (limit/offset).
 * `refreshKey` changes when a run starts or finishes: the current page is read again.
 */
export function RunHistoryTable(props: {
  entityRef: CompoundEntityRef;
  refreshKey: string;
}) {
  const api = useApi(backupsApiRef);
  const { kind, namespace, name } = props.entityRef;
  const [error, setError] = useState<Error>();
  // material-table's instance: onQueryChange() re-reads the page it shows.
  const tableRef = useRef<{ onQueryChange?: () => void }>();

  const fetchPage = useCallback(
    async (query: { page: number; pageSize: number }) => {
      try {
        const page = await api.listRuns(
          { kind, namespace, name },
          { limit: query.pageSize, offset: query.page * query.pageSize },
        );
        setError(undefined);
        return { data: page.items, page: query.page, totalCount: page.total };
      } catch (e) {
        setError(e);
        return { data: [], page: 0, totalCount: 0 };
      }
    },
    [api, kind, namespace, name],
  );

  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    tableRef.current?.onQueryChange?.();
  }, [props.refreshKey]);

  return (
    <>
      {error && (
        <ResponseErrorPanel
          error={error}
          title="Could not read the run history"
        />
      )}
      <Table<BackupRun>
        title="Run history"
        tableRef={tableRef}
        columns={columns}
        data={fetchPage}
        options={{
          search: false,
          sorting: false,
          padding: 'dense',
          pageSize: RUNS_PAGE_SIZE,
          pageSizeOptions: [RUNS_PAGE_SIZE, 25, 50],
          emptyRowsWhenPaging: false,
        }}
        localization={{
          body: { emptyDataSourceMessage: 'No backup has run yet.' },
        }}
      />
    </>
  );
}
