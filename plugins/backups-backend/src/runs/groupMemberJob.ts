import type { AgentJob } from '@safekeep/plugin-backups-common';

interface ReportedMember {
  target?: string;
  state?: string;
  error?: string;
}

/**
 * One member's share of an agent group backup job (`details.members`, one per target), as if it
 * were that member's own backup job: its snapshots only, and its own outcome. A member is good
 * only when it was stored AND the whole group succeeded; stored members of a failed group keep
 * their snapshot but count as partially failed (the agent marks them `complete: false`: they do
 * not make a consistent group snapshot).
 */
export function groupMemberJob(job: AgentJob, target: string): AgentJob {
  if (job.state === 'running') return job;
  const snapshots = (job.snapshots ?? []).filter(s => s.target === target);
  const members = (
    Array.isArray(job.details?.members) ? job.details!.members : []
  ) as ReportedMember[];
  const member = members.find(m => m.target === target);
  const groupName = job.subject.name;
  const base: AgentJob = {
    ...job,
    subject: { kind: 'target', name: target },
    snapshots,
  };
  if (member?.state === 'stored' && job.state === 'succeeded') {
    return { ...base, state: 'succeeded', error: undefined };
  }
  if (member?.state === 'stored') {
    return {
      ...base,
      state: 'failed',
      error: `the consistency group "${groupName}" backup failed, so this snapshot is not part of a complete group snapshot: ${
        job.error ?? 'no reason given'
      }`,
    };
  }
  if (member?.state === 'failed') {
    return {
      ...base,
      state: 'failed',
      snapshots: [],
      error:
        member.error ??
        job.error ??
        'the agent reported a failure without a reason',
    };
  }
  return {
    ...base,
    state: 'failed',
    snapshots: [],
    error: `not backed up: the consistency group "${groupName}" backup stopped before this member (${
      job.error ?? 'no reason given'
    })`,
  };
}
