import {
  backupWindowAt,
  BackupWindow,
  newestCommonWindow,
} from '../groups/backupWindow';
import type { GroupSnapshotSelection } from '../groups/chooseGroupSnapshots';
import type { SnapshotService } from '../snapshots/SnapshotService';
import { isSnapshotId, snapshotIdTime } from '../storage/snapshotId';

const EXAMPLE_TIMES =
  'a snapshot id (20260118T040000Z) or a UTC time (2026-01-18T04:00:00Z)';
// A time without a zone would be read in the host's zone: at 3 a.m. nobody should have to guess which.
const WITH_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

function parseTime(
  text: string,
  what: string,
): { at: Date; isId: boolean } | { error: string } {
  if (isSnapshotId(text)) return { at: snapshotIdTime(text)!, isId: true };
  const at = Date.parse(text);
  if (!WITH_ZONE.test(text) || Number.isNaN(at))
    return { error: `--window: ${what} "${text}" is not ${EXAMPLE_TIMES}` };
  return { at: new Date(at), isId: false };
}

/** `--window T` (the backup started in that second) or `--window FROM/TO` (each member's newest inside). */
function parseWindow(text: string): BackupWindow | { error: string } {
  const parts = text.split('/');
  if (parts.length > 2)
    return { error: `--window: "${text}" is not TIME or FROM/TO` };
  if (parts.length === 1) {
    const at = parseTime(text, 'the time');
    return 'error' in at ? at : backupWindowAt(at.at);
  }
  const from = parseTime(parts[0], 'the start');
  const to = parseTime(parts[1], 'the end');
  if ('error' in from) return from;
  if ('error' in to) return to;
  // A snapshot id as the end takes in the whole second it names, so that snapshot is inside.
  const end = to.isId ? new Date(backupWindowAt(to.at).to) : to.at;
  if (end < from.at)
    return {
      error: `--window: the end ${parts[1]} is before the start ${parts[0]}`,
    };
  return { from: from.at.toISOString(), to: end.toISOString() };
}

/**
 * Which member snapshots `restore --group` asked for: `--snapshot <target>=<id>` for every
 * member, or `--window`; neither means the newest common window (chosen later, from the list).
 */
export function parseGroupSelection(
  snapshots: string[],
  window: string | undefined,
): { selection?: GroupSnapshotSelection } | { error: string } {
  if (snapshots.length > 0 && window !== undefined) {
    return {
      error:
        'give either --snapshot <target>=<id> for every member or --window, not both',
    };
  }
  if (window !== undefined) {
    const parsed = parseWindow(window.trim());
    return 'error' in parsed ? parsed : { selection: { window: parsed } };
  }
  if (snapshots.length === 0) return {};
  const snapshotIds: Record<string, string> = {};
  for (const pair of snapshots) {
    const match = /^([^=\s]+)=(\S+)$/.exec(pair);
    if (!match)
      return {
        error: `--snapshot "${pair}": with --group, name the member: --snapshot <target>=<snapshot id>`,
      };
    const [, target, id] = match;
    if (!isSnapshotId(id))
      return {
        error: `--snapshot ${pair}: "${id}" is not a snapshot id such as 20260118T040000Z`,
      };
    if (snapshotIds[target])
      return { error: `--snapshot names target ${target} twice` };
    snapshotIds[target] = id;
  }
  return { selection: { snapshotIds } };
}

/** The newest window every member of the group has a snapshot in (see newestCommonWindow). */
export async function newestGroupWindow(
  service: SnapshotService,
  groupName: string,
  tier?: string,
): Promise<GroupSnapshotSelection> {
  const group = await service.group(groupName);
  const members = [];
  for (const target of group.targets)
    members.push({ target, snapshots: await service.list(target, tier) });
  return { window: newestCommonWindow(group.name, members) };
}
