import { useEffect } from 'react';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import type { RestoreRequest } from '@safekeep/plugin-backups-common';
import { backupsApiRef } from '../../api';
import { destinationText } from '../../format/destination';
import { formatSpan } from '../../format/time';
import { TimeText } from '../TimeText';
import { RestoreStatusText } from './restoreStatus';

/** Requests still moving: the history is read again every 2 s while there are some. */
const ACTIVE = ['approved', 'running'];
export const RESTORE_POLL_MS = 2000;

const dash = '—';

function whatRan(request: RestoreRequest): string {
  if (request.group) {
    return `Group ${request.group.name}: ${request.group.members
      .map(m => `${m.entityRef} ${m.snapshotId} (${m.status})`)
      .join(', ')}`;
  }
  return `Snapshot ${request.snapshotId}, ${destinationText(
    request.destination,
  )}`;
}

function CheckCell(props: { request: RestoreRequest }) {
  const { request } = props;
  return (
    <>
      {request.check && (
        <Typography
          variant="body2"
          color={request.check.ok ? 'textPrimary' : 'error'}
        >
          {request.check.ok
            ? 'Counts match the backup'
            : `Differs from the backup: ${request.check.differences.join(
                '; ',
              )}`}
        </Typography>
      )}
      {request.error && (
        <Typography variant="body2" color="error">
          {request.error}
        </Typography>
      )}
      {!request.check && !request.error && dash}
    </>
  );
}

const columns: TableColumn<RestoreRequest>[] = [
  {
    title: 'Status',
    render: r => (
      <>
        <RestoreStatusText status={r.status} />
        {r.drill && (
          <Chip size="small" label="drill" style={{ marginLeft: 8 }} />
        )}
        {r.status === 'running' && r.phase && (
          <Typography variant="caption" display="block" color="textSecondary">
            {r.phase}
          </Typography>
        )}
      </>
    ),
  },
  {
    title: 'Asked',
    render: r => (
      <>
        <Typography variant="body2">
          {r.drill ? 'Scheduled drill' : r.requestedBy}
        </Typography>
        <TimeText iso={r.requestedAt} showAbsolute />
        {!r.drill && (
          <Typography variant="caption" display="block" color="textSecondary">
            “{r.reason}”
          </Typography>
        )}
      </>
    ),
  },
  {
    title: 'Decided',
    render: r =>
      r.decidedBy ? (
        <>
          <Typography variant="body2">{r.decidedBy}</Typography>
          {r.decisionComment && (
            <Typography variant="caption" display="block" color="textSecondary">
              “{r.decisionComment}”
            </Typography>
          )}
        </>
      ) : (
        dash
      ),
  },
  {
    title: 'What ran',
    render: r => <Typography variant="body2">{whatRan(r)}</Typography>,
  },
  {
    title: 'Duration',
    render: r => (r.durationMs === null ? dash : formatSpan(r.durationMs)),
  },
  { title: 'Check', render: r => <CheckCell request={r} /> },
];

/** Who asked, who approved, what ran, how long, and the post-restore check. */
export function RestoreHistoryTable(props: {
  entityRef: CompoundEntityRef;
  refreshKey?: string | number;
}) {
  const { entityRef, refreshKey } = props;
  const api = useApi(backupsApiRef);
  const history = useAsyncRetry(
    () => api.listRestores({ entity: entityRef, limit: 50 }),
    [api, entityRef, refreshKey],
  );
  const { retry } = history;
  const active = (history.value ?? []).some(r => ACTIVE.includes(r.status));
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(retry, RESTORE_POLL_MS);
    return () => clearInterval(timer);
  }, [active, retry]);

  if (history.error)
    return (
      <ResponseErrorPanel
        error={history.error}
        title="Could not read the restore history"
      />
    );
  return (
    <Table<RestoreRequest>
      title="Restore history"
      isLoading={history.loading && !history.value}
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={history.value ?? []}
      emptyContent={
        <Typography variant="body2" style={{ padding: 16 }}>
          No restore of this entity yet.
        </Typography>
      }
    />
  );
}
