import { InputError } from '@backstage/errors';
import {
  AgentSnapshot,
  MANIFEST_VERSION,
  RestoreDestination,
  RestorePreview,
} from '@safekeep/plugin-backups-common';
import type { AgentRestoreRequest } from '../../agent/AgentClient';
import { AgentError } from '../../agent/AgentError';
import type { RestoreAgent } from '../../agent/RestoreAgent';
import { runAgentJobToEnd } from '../../agent/runAgentJobToEnd';
import { describeVerification } from './describeVerification';

export interface TargetPreviewInput {
  agent: RestoreAgent;
  target: string;
  engine: string | null;
  /** Latest when omitted. */
  snapshotId?: string;
  destination: RestoreDestination;
  /**
   * A restore into another entity's target (destination kind `entity`): its agent reads the
   * snapshot of `target` from the storage it shares, and restores it into its own target.
   */
  into?: { agent: RestoreAgent; target: string; engine: string | null };
  medianDowntimeMs: number | null;
  timeoutMs: number;
}

export interface TargetPreview {
  preview: RestorePreview;
  snapshotId: string;
  /** Overwrite what the destination holds: true when the preview says it will. */
  force: boolean;
}

function majorOf(version: string | null | undefined): number | undefined {
  const match = version ? /^(\d+)/.exec(version) : null;
  return match ? Number(match[1]) : undefined;
}

/** Containers the agent says a restore of the target stops (a field it may add to /v1/targets). */
async function containersOf(
  agent: RestoreAgent,
  target: string,
): Promise<string[]> {
  try {
    const entry = (await agent.listTargets()).find(t => t.name === target);
    const containers = entry?.stopContainers ?? entry?.containers;
    return Array.isArray(containers)
      ? containers.filter((c): c is string => typeof c === 'string')
      : [];
  } catch {
    // The list is for people; without it the preview says nothing will be stopped.
    return [];
  }
}

/** Refusals only the live destination can tell (the verify job and the snapshot list cannot). */
const DESTINATION_REASONS = new Set([
  'not-empty',
  'version',
  'destination',
  'live-data',
]);

/**
 * The agent's dry-run of the restore as it would run (same force and destination): what the
 * destination holds and which version it runs. Undefined when the agent cannot dry-run (an
 * older agent answers 400) or the dry-run failed; the preview then says less, never more.
 */
async function dryRunOf(
  agent: RestoreAgent,
  restore: AgentRestoreRequest,
  timeoutMs: number,
): Promise<{ refusals: string[]; containersToStop: string[] } | undefined> {
  if (!agent.dryRunRestore) return undefined;
  try {
    const result = await agent.dryRunRestore(restore, { timeoutMs });
    return {
      refusals: result.refusalDetails
        .filter(d => DESTINATION_REASONS.has(d.reason))
        .map(d => `the agent's dry run refuses it: ${d.message}`),
      containersToStop: result.containersToStop,
    };
  } catch (error) {
    if (error instanceof AgentError) return undefined;
    throw error;
  }
}

/**
 * What restoring one target's snapshot will do, decided before anyone approves: the snapshot
 * re-read and checked against its manifest by the agent, the refusals the agent would give
 * that can be known without restoring, what gets stopped and for how long.
 */
export async function previewTargetRestore(
  input: TargetPreviewInput,
): Promise<TargetPreview> {
  const { agent, target, destination, into } = input;
  const snapshots = await agent.listSnapshots(target);
  const latest = snapshots[0];
  const snapshotId = input.snapshotId ?? latest?.id;
  if (!snapshotId) {
    throw new InputError(
      `Target "${target}" on agent "${agent.name}" has no complete snapshot yet: back it up first`,
    );
  }
  const snapshot: AgentSnapshot | undefined = snapshots.find(
    s => s.id === snapshotId,
  );
  const refusals: string[] = [];
  const refuse = (text: string) => refusals.push(text);
  // Who restores, into what: the target itself, or another entity's target that reads the
  // snapshot of `target` (`from`) through its own agent's storage.
  const restorer = into?.agent ?? agent;
  const restoreTarget = into?.target ?? target;
  const from = into ? target : undefined;
  const where = into
    ? `target "${restoreTarget}" on agent "${restorer.name}"`
    : `target "${target}"`;

  if (snapshot && snapshot.manifestVersion > MANIFEST_VERSION) {
    refuse(
      `the snapshot's manifest_version ${snapshot.manifestVersion} is newer than the ${MANIFEST_VERSION} this Safekeep understands: upgrade safekeep-agent and the backend first`,
    );
  }
  const engine = into ? into.engine : input.engine;
  if (snapshot && engine && snapshot.engine !== engine) {
    refuse(
      `the snapshot holds a ${snapshot.engine} backup, but the policy says ${where} is ${engine}`,
    );
  }
  const overwrites = destination.kind === 'in-place';
  const dryRun = !snapshot
    ? undefined
    : await dryRunOf(
        restorer,
        {
          target: restoreTarget,
          snapshotId,
          force: overwrites,
          ...(destination.kind === 'other' && destination.path
            ? { destination: destination.path }
            : {}),
          ...(from ? { from } : {}),
        },
        input.timeoutMs,
      );
  for (const refusal of dryRun?.refusals ?? []) refuse(refusal);

  // Without a dry-run, the destination's version is known only from the latest backup of the target itself.
  const snapshotMajor = majorOf(snapshot?.engineVersion);
  const currentMajor = majorOf(latest?.engineVersion);
  if (
    !dryRun &&
    destination.kind === 'in-place' &&
    snapshotMajor !== undefined &&
    currentMajor !== undefined &&
    snapshotMajor > currentMajor
  ) {
    refuse(
      `the snapshot was taken from ${snapshot!.engine} ${
        snapshot!.engineVersion
      }, but the target ran ${latest!.engineVersion} at its latest backup (${
        latest!.id
      }): the agent refuses to restore into an older major version`,
    );
  }

  // Verified by the agent that will restore it: for another entity's target, this also proves
  // that its agent reaches the storage the snapshot is on.
  let verified = false;
  let verification: string;
  try {
    const result = await runAgentJobToEnd(
      restorer,
      () => restorer.startVerify(restoreTarget, snapshotId, from),
      {
        timeoutMs: input.timeoutMs,
        what: `verifying snapshot ${snapshotId}`,
      },
    );
    if (result.kind === 'timeout') {
      verification = `Not verified: ${result.message}.`;
      refuse(
        `the snapshot could not be verified in time (${result.message}); ask again when the agent is less busy`,
      );
    } else {
      verified = result.job.state === 'succeeded';
      verification = describeVerification(result.job);
      if (!verified)
        refuse(
          `the snapshot failed verification, so the agent would refuse it: ${
            result.job.error ?? 'no reason given'
          }`,
        );
    }
  } catch (error) {
    // An agent that cannot restore from another target rejects `from` (400).
    const refusable =
      error instanceof AgentError &&
      (error.kind === 'not_found' ||
        (into !== undefined && error.kind === 'rejected'));
    if (!refusable) throw error;
    const reason = (error as AgentError).message;
    verification = `Not verified: ${reason}`;
    refuse(
      into
        ? `agent "${restorer.name}" cannot read snapshot ${snapshotId} of target "${target}" for ${where} (${reason}): its storage tiers must reach the snapshot, and the agent must support restoring from another target`
        : `snapshot ${snapshotId} of target "${target}" does not exist on agent "${agent.name}" (or is incomplete: no MANIFEST.json)`,
    );
  }

  const containersToStop = [
    ...new Set([
      ...(await containersOf(restorer, restoreTarget)),
      ...(dryRun?.containersToStop ?? []),
    ]),
  ];
  return {
    snapshotId,
    force: overwrites,
    preview: {
      snapshotId,
      snapshotCreatedAt: snapshot?.createdAt ?? null,
      verified,
      verification,
      artifacts: (snapshot?.artifacts ?? []).map(a => ({
        name: a.name,
        bytes: a.bytes,
        sha256: a.sha256,
      })),
      containersToStop,
      expectedDowntimeMs: input.medianDowntimeMs,
      refusals,
      overwrites,
    },
  };
}
