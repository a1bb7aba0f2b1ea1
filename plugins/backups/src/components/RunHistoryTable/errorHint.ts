import type { BackupRun } from '@safekeep/plugin-backups-common';

const HINTS: Array<[RegExp, string]> = [
  [
    /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|connection refused|unreachable|socket hang up/i,
    'The agent or the service could not be reached: check that safekeep-agent runs on the host and that the address in backups.agents (app-config) is right.',
  ],
  [
    /password authentication failed|authentication failed|access denied|unauthori[sz]ed|\b401\b|NOAUTH|WRONGPASS/i,
    "Credentials were refused: check the target's credentials in the agent's configuration.",
  ],
  [
    /ENOSPC|no space left|disk full|quota exceeded/i,
    'The storage is full: free space or keep fewer snapshots (safekeep.io/retention).',
  ],
  [
    /EACCES|permission denied/i,
    'The agent may not read the source or write the storage: check file and container permissions on the host.',
  ],
  [
    /checksum|sha256 mismatch|corrupt/i,
    'The stored data did not verify, so this snapshot is not usable: run a new backup and check the storage.',
  ],
  [
    /unknown target|no such target|target .* not found|no such container/i,
    "The policy names something the agent does not have: compare safekeep.io/target with the agent's targets.",
  ],
];

/** A next step for a failed run, said so the reader knows where to look. */
export function errorHint(
  run: Pick<BackupRun, 'status' | 'error' | 'agent' | 'target'>,
): string | undefined {
  if (!run.error && run.status !== 'interrupted') return undefined;
  const match = HINTS.find(([pattern]) => pattern.test(run.error ?? ''));
  if (match) return match[1];
  if (run.status === 'interrupted') {
    return 'The run stopped before it finished (the agent or the backend restarted); the next scheduled run tries again.';
  }
  return `See the log of agent "${run.agent}" for target "${run.target}".`;
}
