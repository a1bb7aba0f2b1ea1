import { InputError } from '@backstage/errors';
import type {
  RestoreDestination,
  RestorePreview,
} from '@safekeep/plugin-backups-common';
import { AgentError } from '../../agent/AgentError';
import type { RestoreAgents } from '../../agent/RestoreAgent';
import { previewTargetRestore } from '../preview/previewTargetRestore';
import { snapshotIdTime, timeAsSnapshotId } from '../preview/snapshotTime';
import type { GroupMemberState, GroupState } from '../RestoresStore';
import type { GroupMember } from './findGroupMembers';
import { MemberSnapshots, pickGroupSnapshots } from './pickGroupSnapshots';

export interface GroupPreviewInput {
  systemRef: string;
  groupName: string;
  members: GroupMember[];
  agents: RestoreAgents;
  /** The backup window as a snapshot id (a UTC time); default: the newest all members have. */
  windowId?: string;
  destination: RestoreDestination;
  timeoutMs: number;
  medianDowntimeMs(agent: string, target: string): Promise<number | null>;
}

export interface GroupPreview {
  preview: RestorePreview;
  snapshotId: string;
  groupState: GroupState;
}

const shortName = (entityRef: string) =>
  entityRef.replace(/^[^:]+:(default\/)?/, '');

/**
 * The containers the agent stops when it restores the group itself (all members on one agent
 * that has a group of this name); undefined when it does not, or cannot say.
 */
async function agentGroupContainers(
  input: GroupPreviewInput,
  agentNames: string[],
): Promise<string[] | undefined> {
  if (agentNames.length !== 1) return undefined;
  const agent = input.agents.get(agentNames[0]);
  if (!agent?.listGroups) return undefined;
  try {
    const group = (await agent.listGroups()).find(
      g => g.name === input.groupName,
    );
    return group?.containers ?? undefined;
  } catch {
    // For people only: without it the preview lists what the members report.
    return undefined;
  }
}

/**
 * The agent's own dry run of the group restore, when it restores the group itself: what only it
 * can tell, such as group containers it cannot find (the restore would stop there). Undefined
 * when it does not restore the group, or predates group dry runs.
 */
async function agentGroupDryRun(
  input: GroupPreviewInput,
  agentName: string,
  snapshotIds: Record<string, string>,
) {
  const agent = input.agents.get(agentName);
  if (!agent?.dryRunGroupRestore) return undefined;
  try {
    return await agent.dryRunGroupRestore(
      { group: input.groupName, snapshotIds, force: true },
      { timeoutMs: input.timeoutMs },
    );
  } catch (error) {
    if (error instanceof AgentError) return undefined;
    throw error;
  }
}

/**
 * The preview of a consistency group's restore: every member's snapshot from one backup
 * window, each verified by its agent. Any member without a snapshot in the window, with a
 * broken policy or a failed verification refuses the whole group.
 */
export async function previewGroupRestore(
  input: GroupPreviewInput,
): Promise<GroupPreview> {
  const { members, agents } = input;
  if (members.length === 0) {
    throw new InputError(
      `${input.systemRef} declares consistency group "${input.groupName}" but none of its Resources has a backup policy: annotate them first`,
    );
  }
  let window: Date | undefined;
  if (input.windowId !== undefined) {
    window = snapshotIdTime(input.windowId);
    if (!window)
      throw new InputError(
        `groupWindow "${input.windowId}" is not a backup window: write a UTC time as a snapshot id, e.g. 20260118T040000Z`,
      );
  }

  const refusals: string[] = [];
  if (input.destination.kind !== 'in-place')
    refusals.push('a consistency group is restored in place only');

  const usable: Array<
    MemberSnapshots & { agent: string; target: string; engine: string | null }
  > = [];
  for (const member of members) {
    if (member.result.status !== 'configured') {
      const problems =
        member.result.status === 'invalid'
          ? member.result.problems
              .map(p => `${p.annotation}: ${p.message}`)
              .join('; ')
          : '';
      refusals.push(
        `all service backups are required: ${member.entityRef} has no valid backup policy (${problems})`,
      );
      continue;
    }
    const { agent: agentName, target, engine } = member.result.policy;
    const agent = agents.get(agentName);
    if (!agent) {
      refusals.push(
        `${member.entityRef}: agent "${agentName}" is not in app-config backups.agents`,
      );
      continue;
    }
    usable.push({
      entityRef: member.entityRef,
      agent: agentName,
      target,
      engine: engine ?? null,
      snapshots: await agent.listSnapshots(target),
    });
  }
  const { window: chosen, picks } = pickGroupSnapshots(usable, window);
  for (const pick of picks) if (pick.refusal) refusals.push(pick.refusal);

  const states: GroupMemberState[] = [];
  const preview: RestorePreview = {
    snapshotId: timeAsSnapshotId(chosen),
    snapshotCreatedAt: chosen.toISOString(),
    verified: false,
    verification: '',
    artifacts: [],
    containersToStop: [],
    expectedDowntimeMs: null,
    refusals,
    overwrites: true,
  };
  const verifications: string[] = [];
  let allVerified = true;
  let downtime: number | null = null;
  for (const member of usable) {
    const pick = picks.find(p => p.entityRef === member.entityRef);
    if (!pick?.snapshot) continue;
    states.push({
      entityRef: member.entityRef,
      agent: member.agent,
      target: member.target,
      snapshotId: pick.snapshot.id,
      status: 'pending',
    });
    // Verifying the rest is pointless once the group is refused.
    if (refusals.length > 0) continue;
    const medianDowntime = await input.medianDowntimeMs(
      member.agent,
      member.target,
    );
    const one = await previewTargetRestore({
      agent: agents.get(member.agent)!,
      target: member.target,
      engine: member.engine,
      snapshotId: pick.snapshot.id,
      destination: { kind: 'in-place' },
      medianDowntimeMs: medianDowntime,
      timeoutMs: input.timeoutMs,
    });
    const name = shortName(member.entityRef);
    allVerified &&= one.preview.verified;
    verifications.push(
      `${name} (${pick.snapshot.id}): ${one.preview.verification}`,
    );
    preview.artifacts.push(
      ...one.preview.artifacts.map(a => ({ ...a, name: `${name}/${a.name}` })),
    );
    preview.containersToStop.push(
      ...one.preview.containersToStop.filter(
        c => !preview.containersToStop.includes(c),
      ),
    );
    refusals.push(
      ...one.preview.refusals.map(r => `${member.entityRef}: ${r}`),
    );
    if (medianDowntime !== null) downtime = (downtime ?? 0) + medianDowntime;
  }
  const agentNames = [...new Set(usable.map(m => m.agent))];
  const groupContainers = await agentGroupContainers(input, agentNames);
  if (groupContainers)
    preview.containersToStop = [
      ...new Set([...groupContainers, ...preview.containersToStop]),
    ];
  if (agentNames.length === 1 && refusals.length === 0) {
    // When the agent restores the group itself, its dry run knows the containers it would stop
    // (an agent without a group of this name answers 404, and the backend restores the members).
    const dryRun = await agentGroupDryRun(
      input,
      agentNames[0],
      Object.fromEntries(states.map(s => [s.target, s.snapshotId])),
    );
    if (dryRun?.containersToStop === null) {
      // Members' own refusals are in the list already (from their previews); the rest are the group's.
      refusals.push(
        ...dryRun.refusals
          .filter(r => !r.startsWith('target '))
          .map(r => `the agent's group dry run refuses it: ${r}`),
      );
    } else if (dryRun) {
      preview.containersToStop = [
        ...new Set([...dryRun.containersToStop, ...preview.containersToStop]),
      ];
    }
  }
  preview.verified = refusals.length === 0 && allVerified && states.length > 0;
  preview.verification =
    verifications.length > 0
      ? verifications.join(' ')
      : 'Not verified: the group is refused before its snapshots were read.';
  preview.expectedDowntimeMs = downtime;
  return {
    preview,
    snapshotId: preview.snapshotId,
    groupState: { name: input.groupName, members: states },
  };
}
