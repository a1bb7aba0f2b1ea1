import type { AgentJob } from '@safekeep/plugin-backups-common';
import type { AgentClient } from './AgentClient';

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
