import type { AgentJob } from '@safekeep/plugin-backups-common';
import type { GroupMemberState, GroupState } from '../RestoresStore';
import {
  groupCheck,
  groupFailureText,
  nextGroupStep,
  withAgentGroupReport,
  withMember,
} from './groupRestoreState';

const NOW = new Date('2026-11-21T10:00:00.000Z');

function member(
  name: string,
  status: GroupMemberState['status'] = 'pending',
): GroupMemberState {
  return {
    entityRef: `resource:default/${name}`,
    agent: 'demo-host',
    target: name,
    snapshotId: `snap-${name}`,
    status,
  };
}

function group(
  mode: GroupState['mode'],
  ...members: GroupMemberState[]
): GroupState {
  return { name: 'shop', mode, members };
}

describe('nextGroupStep', () => {
  it('decides first, then follows the agent group job or the members in order', () => {
    expect(nextGroupStep(group(undefined, member('a'))).kind).toBe('decide');
    expect(nextGroupStep(group('agent', member('a', 'running')))).toEqual({
      kind: 'follow-agent-group',
      agent: 'demo-host',
    });
    const members = group(
      'members',
      member('a', 'succeeded'),
      member('b', 'running'),
      member('c'),
    );
    expect(nextGroupStep(members)).toMatchObject({
      kind: 'follow-member',
      member: { target: 'b' },
    });
    expect(
      nextGroupStep(withMember(members, 'b', { status: 'succeeded' })),
    ).toMatchObject({ kind: 'start-member', member: { target: 'c' } });
  });

  it('stops at the first failure and names the members it never reached', () => {
    const failed = group(
      'members',
      member('a', 'succeeded'),
      { ...member('b', 'failed'), error: 'checksum mismatch' },
      member('c'),
    );
    const step = nextGroupStep(failed);
    expect(step).toMatchObject({
      kind: 'failed',
      notRun: ['resource:default/c'],
    });
    if (step.kind !== 'failed') throw new Error('not failed');
    expect(groupFailureText(step.failed, step.notRun)).toBe(
      'resource:default/b failed: checksum mismatch Not restored (the group stops at the first failure): resource:default/c.',
    );
    expect(
      nextGroupStep(
        group('members', member('a', 'succeeded'), member('b', 'succeeded')),
      ).kind,
    ).toBe('succeeded');
  });
});

describe('withMember and withAgentGroupReport', () => {
  it('write a new state and leave the stored one as it was', () => {
    const stored = group('members', member('a'), member('b'));
    const copy = structuredClone(stored);
    const changed = withMember(stored, 'a', { status: 'running' });
    expect(changed.members[0].status).toBe('running');
    expect(stored).toEqual(copy);
  });

  it('maps the agent group report onto the members: restored, with differences, never reached', () => {
    const running = group(
      'agent',
      member('a', 'running'),
      member('b', 'running'),
      member('c', 'running'),
    );
    const job = {
      id: 'job-1',
      kind: 'restore',
      subject: { kind: 'group', name: 'shop' },
      state: 'failed',
      phase: 'failed',
      bytes: 0,
      startedAt: NOW.toISOString(),
      details: {
        members: [
          { target: 'a', state: 'restored', result: { differences: [] } },
          {
            target: 'b',
            state: 'restored with differences',
            result: { differences: ['rows 10 != 9'] },
          },
          { target: 'c', state: 'not restored' },
        ],
      },
    } as unknown as AgentJob;
    const state = withAgentGroupReport(running, job, NOW);
    expect(state.members.map(m => [m.target, m.status, m.error])).toEqual([
      ['a', 'succeeded', null],
      ['b', 'failed', 'its check differs: rows 10 != 9'],
      ['c', 'pending', null],
    ]);
    expect(running.members.every(m => m.status === 'running')).toBe(true);
    expect(groupCheck(state)).toMatchObject({
      ok: false,
      differences: ['resource:default/b: rows 10 != 9'],
    });
  });
});
