import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type { RestoreStatus } from '@safekeep/plugin-backups-common';

const LABELS: Record<RestoreStatus, string> = {
  pending: 'Waiting for approval',
  refused: 'Refused',
  rejected: 'Rejected',
  expired: 'Expired',
  withdrawn: 'Withdrawn by the requester',
  approved: 'Approved, starting',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

export function restoreStatusLabel(status: RestoreStatus): string {
  return LABELS[status] ?? status;
}

/** A restore's status with Backstage's status colours. */
export function RestoreStatusText(props: { status: RestoreStatus }) {
  const label = restoreStatusLabel(props.status);
  switch (props.status) {
    case 'succeeded':
      return <StatusOK>{label}</StatusOK>;
    case 'failed':
    case 'refused':
      return <StatusError>{label}</StatusError>;
    case 'running':
    case 'approved':
      return <StatusRunning>{label}</StatusRunning>;
    case 'pending':
      return <StatusPending>{label}</StatusPending>;
    case 'rejected':
      return <StatusWarning>{label}</StatusWarning>;
    default:
      return <StatusAborted>{label}</StatusAborted>;
  }
}
