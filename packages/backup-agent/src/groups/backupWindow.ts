import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import { NotFoundError } from '../snapshots/errors';

export interface BackupWindow {
  from: string;
  to: string;
}

/**
 * The window of the backup started in the second of `at`. A group backup starts all its members
 * at the same time, and snapshot ids are that time to the second, so a snapshot id names a group
 * run exactly; backups taken one after the other need a wider window (FROM/TO).
 */
export function backupWindowAt(at: Date): BackupWindow {
  const second = Math.floor(at.getTime() / 1000) * 1000;
  return {
    from: new Date(second).toISOString(),
    to: new Date(second + 999).toISOString(),
  };
}

/**
 * The newest backup window every member has a snapshot in: the second of the oldest among the
 * members' newest snapshots. After a group backup in which a member failed, that is the run
 * before it. A member without any snapshot refuses: all service backups are required (seed 001).
 */
export function newestCommonWindow(
  groupName: string,
  members: Array<{ target: string; snapshots: AgentSnapshot[] }>,
): BackupWindow {
  const without = members
    .filter(m => m.snapshots.length === 0)
    .map(m => m.target);
  if (without.length > 0) {
    throw new NotFoundError(
      `all service backups are required: ${without
        .map(t => `target ${t}`)
        .join(', ')} of group "${groupName}" ${
        without.length > 1 ? 'have' : 'has'
      } no complete snapshot`,
    );
  }
  const newest = members.map(m =>
    Math.max(...m.snapshots.map(s => Date.parse(s.createdAt))),
  );
  return backupWindowAt(new Date(Math.min(...newest)));
}
