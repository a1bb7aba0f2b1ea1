import type { AgentJob } from '@safekeep/plugin-backups-common';
import type {
  GroupMemberState,
  GroupState,
  RestoreCheck,
} from '../RestoresStore';

/**
 * What a group restore does next, read from its stored state alone (so any replica carries it
 * on after a restart):
 * - `decide`: nothing started yet; ask the members' one agent to restore the group itself;
 * - `follow-agent-group`: that agent's group job runs;
 * - `follow-member` / `start-member`: member by member, in order;
 * - `failed`: a member failed, the rest never start; `succeeded`: every member restored.
 */
export type GroupRestoreStep =
  | { kind: 'decide' }
  | { kind: 'follow-agent-group'; agent: string }
  | { kind: 'follow-member'; member: GroupMemberState }
  | { kind: 'start-member'; member: GroupMemberState }
  | { kind: 'failed'; failed: GroupMemberState; notRun: string[] }
  | { kind: 'succeeded' };

export function nextGroupStep(state: GroupState): GroupRestoreStep {
  if (!state.mode) return { kind: 'decide' };
  if (state.mode === 'agent')
    return { kind: 'follow-agent-group', agent: state.members[0].agent };
  const running = state.members.find(m => m.status === 'running');
  if (running) return { kind: 'follow-member', member: running };
  const failed = state.members.find(m => m.status === 'failed');
  if (failed) {
    const notRun = state.members
      .filter(m => m.status === 'pending')
      .map(m => m.entityRef);
    return { kind: 'failed', failed, notRun };
  }
  const pending = state.members.find(m => m.status === 'pending');
  return pending
    ? { kind: 'start-member', member: pending }
    : { kind: 'succeeded' };
}

/** The state with one member changed; the state given is left as it was. */
export function withMember(
  state: GroupState,
  target: string,
  change: Partial<GroupMemberState>,
): GroupState {
  return {
    ...state,
    members: state.members.map(m =>
      m.target === target ? { ...m, ...change } : m,
    ),
  };
}

/** The state with every member changed alike. */
export function withAllMembers(
  state: GroupState,
  change: Partial<GroupMemberState>,
): GroupState {
  return { ...state, members: state.members.map(m => ({ ...m, ...change })) };
}

interface ReportedMember {
  target?: string;
  state?: string;
  error?: string;
  result?: {
    destination?: unknown;
    tier?: unknown;
    expected?: unknown;
    observed?: unknown;
    differences?: string[];
  };
}

/** Maps an agent's finished group job (details.members: { target, state, error?, result? }) onto the members. */
export function withAgentGroupReport(
  state: GroupState,
  job: AgentJob,
  now: Date,
): GroupState {
  const reported = (
    Array.isArray(job.details?.members) ? job.details!.members : []
  ) as ReportedMember[];
  return {
    ...state,
    members: state.members.map(member => {
      const seen = reported.find(r => r.target === member.target);
      const result = seen?.result;
      const check: RestoreCheck | null = result
        ? {
            ok: (result.differences ?? []).length === 0,
            differences: result.differences ?? [],
            details: {
              destination: result.destination,
              tier: result.tier,
              expected: result.expected,
              observed: result.observed,
            },
          }
        : null;
      const notRun = !seen || seen.state === 'not restored';
      let status: GroupMemberState['status'] = 'failed';
      if (seen?.state === 'restored') status = 'succeeded';
      else if (notRun) status = 'pending'; // never reached: the group stopped before it
      return {
        ...member,
        status,
        finishedAt: notRun ? null : now.toISOString(),
        check,
        error:
          seen?.error ??
          (seen?.state === 'restored with differences'
            ? `its check differs: ${(result?.differences ?? []).join('; ')}`
            : null),
      };
    }),
  };
}

/** The group's check: ok only when every member has one and each passed. */
export function groupCheck(state: GroupState): RestoreCheck {
  const checks = state.members
    .map(m => m.check)
    .filter((c): c is RestoreCheck => Boolean(c));
  return {
    ok: checks.length === state.members.length && checks.every(c => c.ok),
    differences: state.members.flatMap(m =>
      (m.check?.differences ?? []).map(d => `${m.entityRef}: ${d}`),
    ),
    details: Object.fromEntries(
      state.members.map(m => [m.entityRef, m.check?.details ?? null]),
    ),
  };
}

/** Why a member-by-member group restore failed, and which members it never reached. */
export function groupFailureText(
  failed: GroupMemberState,
  notRun: string[],
): string {
  return `${failed.entityRef} failed: ${failed.error}${
    notRun.length
      ? ` Not restored (the group stops at the first failure): ${notRun.join(
          ', ',
        )}.`
      : ''
  }`;
}
