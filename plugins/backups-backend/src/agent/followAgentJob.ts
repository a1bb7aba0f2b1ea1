import type { AgentJob } from '@safekeep/plugin-backups-common';
import type { AgentClient } from './AgentClient';
import { agentErrorText } from './AgentError';

/** How long a follower waits before it calls a job lost. */
export interface AgentJobFollowLimits {
  /** Asked for this long ago and still without a job id: the backend that asked stopped midway. */
  startGraceMs: number;
  /** The agent has not answered about the job for this long: its outcome is unknown. */
  agentSilenceMs: number;
}

/** What one look at a followed agent job found; each follower words it for its own record. */
export type AgentJobLookup =
  | { kind: 'found'; job: AgentJob }
  /** No job id yet, but the start may still be under way: look again on the next tick. */
  | { kind: 'starting' }
  /** No job id long after the start was asked for: whether the job ran is unknown. */
  | { kind: 'start-lost' }
  /** The agent is no longer in app-config backups.agents. */
  | { kind: 'agent-gone' }
  /** The agent did not answer, but not for long: look again on the next tick. */
  | { kind: 'unreachable'; error: unknown }
  /** The agent has not answered for longer than agentSilenceMs. */
  | { kind: 'silent'; error: unknown; silentMs: number }
  /** The agent does not know the job (it probably restarted), so the job did not finish. */
  | { kind: 'forgotten' };

/**
 * One look, on a tick, at the agent job a backup run or a prune follows to its end. Followers
 * share when a job counts as lost; only what they record differs, so they switch on the kind.
 */
export async function lookUpAgentJob(followed: {
  jobId: string | null;
  agent: Pick<AgentClient, 'getJob'> | undefined;
  /** When the start was asked for; null counts as long ago. */
  askedAt: string | null;
  /** The last time the agent answered about the job (or, before it ever did, when it was asked). */
  lastHeardAt: string;
  now: Date;
  limits: AgentJobFollowLimits;
}): Promise<AgentJobLookup> {
  const { now, limits } = followed;
  if (!followed.jobId) {
    const since = followed.askedAt
      ? now.getTime() - new Date(followed.askedAt).getTime()
      : Infinity;
    return since > limits.startGraceMs
      ? { kind: 'start-lost' }
      : { kind: 'starting' };
  }
  if (!followed.agent) return { kind: 'agent-gone' };
  let job: AgentJob | undefined;
  try {
    job = await followed.agent.getJob(followed.jobId);
  } catch (error) {
    const silentMs = now.getTime() - new Date(followed.lastHeardAt).getTime();
    return silentMs > limits.agentSilenceMs
      ? { kind: 'silent', error, silentMs }
      : { kind: 'unreachable', error };
  }
  return job ? { kind: 'found', job } : { kind: 'forgotten' };
}

/** How a follower names what it follows, for the texts of a lost job. */
export interface FollowedJobWording {
  /** What the job does: `backup`, `restore`, `prune`. */
  what: string;
  /** How the job is named before its id: `job`, `restore job`, `prune job`. */
  jobLabel: string;
  /** The agent's name in app-config. */
  agentName: string;
  /** What the reader should do next, a sentence: `Start a new backup.` */
  next: string;
}

/** What a follower does after one look: record the job, wait for the next tick, or record it lost. */
export type AgentJobFollowUp =
  | { kind: 'found'; job: AgentJob }
  /** Look again on the next tick; `warning` says why, when it is worth a log line. */
  | { kind: 'waiting'; warning?: string }
  /** The job's outcome will never be known: record `reason` as the failure. */
  | { kind: 'lost'; reason: string };

/**
 * One look at a followed agent job (lookUpAgentJob), with the same texts for every follower
 * (backup runs, restores, prunes) when the job is lost.
 */
export async function followAgentJob(
  followed: Parameters<typeof lookUpAgentJob>[0],
  wording: FollowedJobWording,
): Promise<AgentJobFollowUp> {
  const lookup = await lookUpAgentJob(followed);
  const { what, jobLabel, agentName, next } = wording;
  const job = `${jobLabel} ${followed.jobId}`;
  switch (lookup.kind) {
    case 'found':
      return lookup;
    case 'starting':
      return { kind: 'waiting' };
    case 'unreachable':
      return {
        kind: 'waiting',
        warning: `cannot reach the agent yet: ${agentErrorText(lookup.error)}`,
      };
    case 'start-lost':
      return {
        kind: 'lost',
        reason: `The backend stopped while asking agent "${agentName}" to start the ${what}, so it is unknown whether it ran. ${next}`,
      };
    case 'agent-gone':
      return {
        kind: 'lost',
        reason: `Agent "${agentName}" is no longer in app-config backups.agents, so the ${what} cannot be followed; its outcome is unknown. ${next}`,
      };
    case 'silent':
      return {
        kind: 'lost',
        reason: `Agent "${agentName}" has not answered about ${job} for ${Math.round(
          lookup.silentMs / 60_000,
        )} min (last error: ${agentErrorText(
          lookup.error,
        )}); the outcome is unknown. ${next}`,
      };
    default:
      return {
        kind: 'lost',
        reason: `Agent "${agentName}" does not know ${job} (it probably restarted), so the ${what} did not finish. ${next}`,
      };
  }
}
