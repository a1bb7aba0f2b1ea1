import type { RestoreRequest } from '@safekeep/plugin-backups-common';
import type { StoredRestore } from './RestoresStore';

/** A stored request as the REST API shows it, without the runner's bookkeeping. */
export function toRestoreRequest(stored: StoredRestore): RestoreRequest {
  const {
    agent: _agent,
    target: _target,
    force: _force,
    agentJobId: _agentJobId,
    agentSeenAt: _agentSeenAt,
    scheduledFor: _scheduledFor,
    groupState: _groupState,
    ...request
  } = stored;
  return request;
}
