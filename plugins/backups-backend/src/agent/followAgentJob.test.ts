import type { AgentJob } from '@safekeep/plugin-backups-common';
import { AgentError } from './AgentError';
import { followAgentJob, lookUpAgentJob } from './followAgentJob';

const MINUTE = 60_000;
const NOW = new Date('2026-11-21T10:30:00.000Z');
const limits = { startGraceMs: 2 * MINUTE, agentSilenceMs: 10 * MINUTE };
const runningJob: AgentJob = {
  id: 'job-7',
  kind: 'backup',
  subject: { kind: 'target', name: 'app-db' },
  state: 'running',
  phase: 'dumping',
  bytes: 10,
  startedAt: '2026-11-21T10:00:00.000Z',
};

function minutesAgo(minutes: number): string {
  return new Date(NOW.getTime() - minutes * MINUTE).toISOString();
}

/** A followed job as a tick sees it; the agent answers with the running job unless told otherwise. */
function followed(
  overrides: Partial<Parameters<typeof lookUpAgentJob>[0]> = {},
) {
  return {
    jobId: 'job-7',
    agent: { getJob: async () => runningJob },
    askedAt: minutesAgo(30),
    lastHeardAt: minutesAgo(1),
    now: NOW,
    limits,
    ...overrides,
  };
}

const unreachable = {
  getJob: async () =>
    Promise.reject(
      new AgentError(
        'unreachable',
        'Agent "demo-host" is unreachable (ECONNREFUSED)',
      ),
    ),
};

describe('lookUpAgentJob', () => {
  it('finds the job the agent reports, in whatever state', async () => {
    expect(await lookUpAgentJob(followed())).toEqual({
      kind: 'found',
      job: runningJob,
    });
  });

  it('waits for a start still under way, and calls it lost after the start grace (or when the ask time is unknown)', async () => {
    expect(
      await lookUpAgentJob(followed({ jobId: null, askedAt: minutesAgo(1) })),
    ).toEqual({ kind: 'starting' });
    expect(
      await lookUpAgentJob(followed({ jobId: null, askedAt: minutesAgo(3) })),
    ).toEqual({ kind: 'start-lost' });
    expect(
      await lookUpAgentJob(followed({ jobId: null, askedAt: null })),
    ).toEqual({ kind: 'start-lost' });
  });

  it('waits for a start under way even when the agent is no longer configured', async () => {
    expect(
      await lookUpAgentJob(
        followed({ jobId: null, askedAt: minutesAgo(1), agent: undefined }),
      ),
    ).toEqual({ kind: 'starting' });
  });

  it('reports an agent that is no longer configured', async () => {
    expect(await lookUpAgentJob(followed({ agent: undefined }))).toEqual({
      kind: 'agent-gone',
    });
  });

  it('tolerates a short agent outage, and gives up once the agent has been silent too long', async () => {
    const short = await lookUpAgentJob(
      followed({ agent: unreachable, lastHeardAt: minutesAgo(5) }),
    );
    expect(short).toMatchObject({
      kind: 'unreachable',
      error: expect.any(AgentError),
    });

    const long = await lookUpAgentJob(
      followed({ agent: unreachable, lastHeardAt: minutesAgo(11) }),
    );
    expect(long).toMatchObject({
      kind: 'silent',
      silentMs: 11 * MINUTE,
      error: expect.any(AgentError),
    });
  });

  it('reports a job the agent no longer knows (it restarted)', async () => {
    expect(
      await lookUpAgentJob(
        followed({ agent: { getJob: async () => undefined } }),
      ),
    ).toEqual({ kind: 'forgotten' });
  });
});

describe('followAgentJob', () => {
  const wording = {
    what: 'prune',
    jobLabel: 'prune job',
    agentName: 'demo-host',
    next: 'The next successful backup prunes again.',
  };

  it('hands on the job the agent reports', async () => {
    expect(await followAgentJob(followed(), wording)).toEqual({
      kind: 'found',
      job: runningJob,
    });
  });

  it("waits through a start under way silently, and through a short outage with the agent's words", async () => {
    expect(
      await followAgentJob(
        followed({ jobId: null, askedAt: minutesAgo(1) }),
        wording,
      ),
    ).toEqual({ kind: 'waiting' });
    expect(
      await followAgentJob(
        followed({ agent: unreachable, lastHeardAt: minutesAgo(5) }),
        wording,
      ),
    ).toEqual({
      kind: 'waiting',
      warning:
        'cannot reach the agent yet: Agent "demo-host" is unreachable (ECONNREFUSED)',
    });
  });

  it('words every lost job the same way for each follower: agent, job, why, and what to do next', async () => {
    const reasons = await Promise.all(
      [
        followed({ jobId: null, askedAt: null }),
        followed({ agent: undefined }),
        followed({ agent: unreachable, lastHeardAt: minutesAgo(11) }),
        followed({ agent: { getJob: async () => undefined } }),
      ].map(async f => {
        const followUp = await followAgentJob(f, wording);
        return followUp.kind === 'lost' ? followUp.reason : followUp.kind;
      }),
    );
    expect(reasons).toEqual([
      'The backend stopped while asking agent "demo-host" to start the prune, so it is unknown whether it ran. The next successful backup prunes again.',
      'Agent "demo-host" is no longer in app-config backups.agents, so the prune cannot be followed; its outcome is unknown. The next successful backup prunes again.',
      'Agent "demo-host" has not answered about prune job job-7 for 11 min (last error: Agent "demo-host" is unreachable (ECONNREFUSED)); the outcome is unknown. The next successful backup prunes again.',
      'Agent "demo-host" does not know prune job job-7 (it probably restarted), so the prune did not finish. The next successful backup prunes again.',
    ]);
  });
});
