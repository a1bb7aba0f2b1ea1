import type { AgentSnapshot } from '@safekeep/plugin-backups-common';

/** Member snapshots further apart than this from the window are not the same backup. */
export const GROUP_WINDOW_MS = 60 * 60_000;

export interface MemberSnapshots {
  entityRef: string;
  /** Newest first, as the agent lists them. */
  snapshots: AgentSnapshot[];
}

export interface GroupPick {
  entityRef: string;
  snapshot?: AgentSnapshot;
  /** Why this member has no usable snapshot: the whole group is refused then. */
  refusal?: string;
}

/**
 * One snapshot per member from the same backup window: each member's snapshot closest to
 * `window` (default: the newest time every member has a snapshot by). A member without one
 * within GROUP_WINDOW_MS refuses the group: all service backups are required.
 */
export function pickGroupSnapshots(
  members: MemberSnapshots[],
  window?: Date,
): { window: Date; picks: GroupPick[] } {
  const latestTimes = members
    .map(m => m.snapshots[0])
    .filter((s): s is AgentSnapshot => Boolean(s))
    .map(s => new Date(s.createdAt).getTime());
  const anchor =
    window ?? new Date(latestTimes.length > 0 ? Math.min(...latestTimes) : 0);
  const picks = members.map(({ entityRef, snapshots }): GroupPick => {
    if (snapshots.length === 0) {
      return {
        entityRef,
        refusal: `all service backups are required: ${entityRef} has no snapshot at all`,
      };
    }
    const closest = snapshots.reduce((best, s) =>
      Math.abs(new Date(s.createdAt).getTime() - anchor.getTime()) <
      Math.abs(new Date(best.createdAt).getTime() - anchor.getTime())
        ? s
        : best,
    );
    const distance = Math.abs(
      new Date(closest.createdAt).getTime() - anchor.getTime(),
    );
    if (distance > GROUP_WINDOW_MS) {
      return {
        entityRef,
        refusal: `all service backups are required: ${entityRef} has no snapshot within ${
          GROUP_WINDOW_MS / 60_000
        } min of ${anchor.toISOString()} (closest: ${closest.id})`,
      };
    }
    return { entityRef, snapshot: closest };
  });
  return { window: anchor, picks };
}
