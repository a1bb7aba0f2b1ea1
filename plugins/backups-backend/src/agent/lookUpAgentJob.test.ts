import type { AgentJob } from '@safekeep/plugin-backups-common';
import { AgentError } from './AgentError';
import { lookUpAgentJob } from './lookUpAgentJob';

const MINUTE = 60_000;
const NOW = new Date('2026-11-21T10:30:00.000Z');
const limits = { startGraceMs: 2 * MINUTE, agentSilenceMs: 10 * MINUTE };
const runningJob: AgentJob = {
  id: 'job-7',
  kind: 'backup',
  target: 'app-db',
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
