import type { TargetConfig } from '../config/loadConfig';
import { containerStates } from '../docker/containerLifecycle';
import { dryRunRestore, DryRunResult } from '../snapshots/dryRunRestore';
import type {
  ProgressListener,
  SnapshotContext,
} from '../snapshots/SnapshotContext';
import {
  chooseGroupSnapshots,
  GroupSnapshotSelection,
} from './chooseGroupSnapshots';
import type { ResolvedGroup } from './resolveGroup';

export type GroupDryRunOptions = GroupSnapshotSelection & {
  tier?: string;
  force?: boolean;
  onProgress?: ProgressListener;
};

export interface GroupDryRunMember extends DryRunResult {
  target: string;
}

export interface GroupDryRunResult {
  group: string;
  /** Each member's dry run, in restore order, with the snapshot the restore would use. */
  members: GroupDryRunMember[];
  /**
   * Every container the restore would stop: the group's running ones and those a member's
   * engine stops (each member lists its own too); null when the Docker Engine cannot say.
   */
  containersToStop: string[] | null;
  /** Containers the group's selector matched that are never stopped, with why. */
  excluded: ResolvedGroup['excluded'];
  /** Every refusal the restore would give, each naming its member; empty when it would run. */
  refusals: string[];
}

/**
 * The checks of a group restore without the restore: the snapshots are chosen by the same rules,
 * every member gets the single-target dry run (manifest version, engine major, an occupied
 * destination without force, reachable, checksums), and the group's containers are only looked
 * at. Nothing is stopped or written. A group whose containers cannot be found is refused too:
 * the restore itself would stop there.
 */
export async function dryRunGroupRestore(
  context: SnapshotContext,
  group: { name: string; targets: TargetConfig[] },
  findContainers: () => Promise<Pick<ResolvedGroup, 'containers' | 'excluded'>>,
  options: GroupDryRunOptions,
): Promise<GroupDryRunResult> {
  const onProgress = options.onProgress ?? (() => undefined);
  const ids = await chooseGroupSnapshots(
    context,
    group.name,
    group.targets,
    options,
    options.tier,
  );
  const members: GroupDryRunMember[] = [];
  for (const target of group.targets) {
    onProgress({ phase: `${target.name}: checking`, bytes: 0 });
    const result = await dryRunRestore(context, target, ids[target.name], {
      tier: options.tier,
      force: options.force,
    });
    members.push({ target: target.name, ...result });
  }
  const refusals = members.flatMap(m =>
    m.refusals.map(r => `target ${m.target} (snapshot ${m.snapshotId}): ${r}`),
  );

  onProgress({ phase: 'looking at the containers', bytes: 0 });
  let containersToStop: string[] | null = null;
  let excluded: ResolvedGroup['excluded'] = [];
  try {
    const found = await findContainers();
    const states = await containerStates(
      context.docker().docker,
      found.containers,
    );
    const running = found.containers.filter(name => states[name] === 'running');
    containersToStop = [
      ...new Set([...running, ...members.flatMap(m => m.containersToStop)]),
    ];
    excluded = found.excluded;
  } catch (error) {
    refusals.push(
      `cannot find the containers of group "${
        group.name
      }", which the restore stops: ${(error as Error).message}`,
    );
  }
  onProgress({ phase: 'done', bytes: 0 });
  return { group: group.name, members, containersToStop, excluded, refusals };
}
