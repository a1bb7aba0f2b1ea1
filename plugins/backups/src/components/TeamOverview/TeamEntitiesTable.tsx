import Typography from '@material-ui/core/Typography';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { parseEntityRef } from '@backstage/catalog-model';
import { useRouteRef } from '@backstage/core-plugin-api';
import {
  entityRouteParams,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import type { TeamEntityRow } from '@safekeep/plugin-backups-common';
import { formatBytes } from '../../format/bytes';
import { formatPercent } from '../../format/percent';
import { BackupHealthStatus } from '../BackupHealthStatus';
import { TimeText } from '../TimeText';
import { withLocalTimes } from '../../format/time';

const dash = '—';

/** "resource:default/orders-db" reads as "orders-db"; other namespaces keep theirs. */
export function entityDisplayName(row: {
  entityRef: string;
  title: string | null;
}): string {
  if (row.title) return row.title;
  const { namespace, name } = parseEntityRef(row.entityRef);
  return namespace === 'default' ? name : `${namespace}/${name}`;
}

function columns(
  backupsTabOf: (entityRef: string) => string,
): TableColumn<TeamEntityRow>[] {
  return [
    {
      title: 'Entity',
      render: row => (
        <>
          <Link
            to={backupsTabOf(row.entityRef)}
            aria-label={`Backups of ${entityDisplayName(row)}`}
          >
            {entityDisplayName(row)}
          </Link>
          <Typography variant="caption" color="textSecondary" display="block">
            {row.entityRef}
          </Typography>
        </>
      ),
    },
    {
      title: 'Health',
      render: row => (
        <>
          <BackupHealthStatus health={row.health} variant="body2" />
          <Typography variant="caption" display="block">
            {withLocalTimes(row.healthReason)}
          </Typography>
          {!!row.snapshotsFailingVerify && (
            <Typography variant="caption" color="error" display="block">
              {row.snapshotsFailingVerify} snapshot
              {row.snapshotsFailingVerify === 1 ? '' : 's'} failed scheduled
              verification
            </Typography>
          )}
        </>
      ),
    },
    {
      title: 'Last success',
      render: row =>
        row.lastSuccessAt ? <TimeText iso={row.lastSuccessAt} /> : 'never',
    },
    {
      // What the kept snapshots take (chunks shared between them counted once); agents or
      // runs without the estimate show the latest snapshot's stored size.
      title: 'Storage used',
      render: row => {
        const used = row.storageUsedBytes ?? null;
        if (used === null)
          return row.bytesStored === null ? dash : formatBytes(row.bytesStored);
        return (
          <>
            {formatBytes(used)}
            {row.bytesStored !== null && (
              <Typography
                variant="caption"
                color="textSecondary"
                display="block"
              >
                latest snapshot {formatBytes(row.bytesStored)}
              </Typography>
            )}
          </>
        );
      },
    },
    {
      title: 'Success rate, 30 days',
      render: row =>
        row.successRate30d === null
          ? 'no runs'
          : formatPercent(row.successRate30d),
    },
    {
      title: 'Last verified restore',
      render: row =>
        row.lastVerifiedRestoreAt ? (
          <TimeText iso={row.lastVerifiedRestoreAt} />
        ) : (
          'never'
        ),
    },
  ];
}

/** The team's protected entities in the backend's order (worst first), each linking to its Backups tab. */
export function TeamEntitiesTable(props: { rows: TeamEntityRow[] }) {
  const entityRoute = useRouteRef(entityRouteRef);
  const backupsTabOf = (entityRef: string) =>
    `${entityRoute(entityRouteParams(entityRef))}/backups`;
  return (
    <Table<TeamEntityRow>
      title="Protected entities, worst first"
      columns={columns(backupsTabOf)}
      data={props.rows}
      options={{
        search: false,
        sorting: false,
        paging: props.rows.length > 20,
        pageSize: 20,
        padding: 'dense',
      }}
      localization={{
        body: {
          emptyDataSourceMessage:
            'None of this team’s entities has a backup policy yet.',
        },
      }}
    />
  );
}
