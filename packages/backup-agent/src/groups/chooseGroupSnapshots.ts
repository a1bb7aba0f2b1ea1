import type { TargetConfig } from '../config/loadConfig';
import { NotFoundError } from '../snapshots/errors';
import { listSnapshots } from '../snapshots/listSnapshots';
import type { SnapshotContext } from '../snapshots/SnapshotContext';

/** Which snapshot of each member to restore: given by id, or the newest in a time window. */
export type GroupSnapshotSelection =
  | { snapshotIds: Record<string, string> }
  | { window: { from: string; to: string } };

/**
 * One snapshot id per member target. With ids, every member needs one and no other target may
 * be named. With a window, each member's newest complete snapshot started inside it is taken,
 * and when they record a group run, it must be the same run for all: members of different
 * runs were not taken while the same containers were stopped.
 */
export async function chooseGroupSnapshots(
  context: SnapshotContext,
  groupName: string,
  targets: TargetConfig[],
  selection: GroupSnapshotSelection,
  tier?: string,
): Promise<Record<string, string>> {
  const names = targets.map(t => t.name);
  if ('snapshotIds' in selection) {
    const missing = names.filter(n => !selection.snapshotIds[n]);
    const foreign = Object.keys(selection.snapshotIds).filter(
      n => !names.includes(n),
    );
    if (missing.length || foreign.length) {
      throw new NotFoundError(
        `group "${groupName}" has the targets ${names.join(
          ', ',
        )}; snapshotIds must name one snapshot for each` +
          `${missing.length ? ` (missing: ${missing.join(', ')})` : ''}${
            foreign.length ? ` (not in the group: ${foreign.join(', ')})` : ''
          }`,
      );
    }
    return { ...selection.snapshotIds };
  }

  const from = new Date(selection.window.from);
  const to = new Date(selection.window.to);
  const chosen: Record<string, string> = {};
  const runs = new Map<string, string>();
  for (const target of targets) {
    const snapshots = await listSnapshots(context, [target], tier);
    const inWindow = snapshots.find(s => {
      const at = new Date(s.createdAt);
      return at >= from && at <= to;
    });
    if (!inWindow) {
      throw new NotFoundError(
        `target ${target.name} of group "${groupName}" has no complete snapshot started between ${selection.window.from} and ${selection.window.to}`,
      );
    }
    chosen[target.name] = inWindow.id;
    const storage = context.storageFor(inWindow.tier);
    const read = await storage.readManifest({
      target: target.name,
      id: inWindow.id,
    });
    const run =
      read.status === 'ok'
        ? (read.manifest.details.group as { runId?: string } | undefined)?.runId
        : undefined;
    if (run) runs.set(target.name, run);
  }
  if (new Set(runs.values()).size > 1) {
    const described = [...runs.entries()]
      .map(([t, r]) => `${t}: run ${r}`)
      .join(', ');
    throw new NotFoundError(
      `the window holds snapshots of different group runs (${described}); narrow the window to one run, or give snapshotIds`,
    );
  }
  return chosen;
}
