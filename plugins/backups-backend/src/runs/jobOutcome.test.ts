import type { AgentJob, AgentSnapshot } from '@safekeep/plugin-backups-common';
import type { StoredRun } from './BackupsStore';
import { observeJob } from './jobOutcome';

const NOW = new Date('2026-11-21T10:05:00.000Z');

const run = { startedAt: '2026-11-21T10:00:00.000Z' } as StoredRun;

function snapshot(
  tier: string,
  overrides: Partial<AgentSnapshot> = {},
): AgentSnapshot {
  return {
    id: `snap-${tier}`,
    target: 'app-db',
    tier,
    createdAt: '2026-11-21T10:01:00.000Z',
    bytes: 1234,
    rawBytes: 5678,
    sha256: 'b'.repeat(64),
    artifacts: [{ name: 'app.db.zst', bytes: 1234, sha256: 'b'.repeat(64) }],
    location: `file:///backups/${tier}/snap`,
    engine: 'sqlite',
    engineVersion: '3.45',
    manifestVersion: 1,
    ...overrides,
  };
}

function job(overrides: Partial<AgentJob>): AgentJob {
  return {
    id: 'job-1',
    kind: 'backup',
    subject: { kind: 'target', name: 'app-db' },
    state: 'succeeded',
    phase: 'done',
    bytes: 1234,
    startedAt: '2026-11-21T10:00:01.000Z',
    finishedAt: '2026-11-21T10:01:01.000Z',
    ...overrides,
  };
}

describe('observeJob', () => {
  it('reports progress while the job runs', () => {
    expect(
      observeJob(
        run,
        job({
          state: 'running',
          phase: 'dumping',
          bytes: 99,
          finishedAt: undefined,
        }),
        NOW,
      ),
    ).toEqual({
      kind: 'running',
      phase: 'dumping',
      bytesStored: 99,
    });
  });

  it('records the primary snapshot of a success, and every tier', () => {
    const result = observeJob(
      run,
      job({
        snapshots: [snapshot('local'), snapshot('offsite')],
        downtimeMs: 150,
      }),
      NOW,
    );
    expect(result).toEqual({
      kind: 'finished',
      outcome: expect.objectContaining({
        status: 'succeeded',
        bytesStored: 1234,
        bytesRaw: 5678,
        sha256: 'b'.repeat(64),
        snapshotId: 'snap-local',
        location: 'file:///backups/local/snap',
        durationMs: 60_000,
        downtimeMs: 150,
        finishedAt: new Date('2026-11-21T10:01:01.000Z'),
      }),
    });
    expect(result.kind === 'finished' && result.outcome.tiers).toHaveLength(2);
  });

  it('never counts a success without a snapshot, or with an empty one, as a backup', () => {
    const none = observeJob(run, job({ snapshots: [] }), NOW);
    expect(none.kind === 'finished' && none.outcome.status).toBe('failed');
    const empty = observeJob(
      run,
      job({ snapshots: [snapshot('local', { bytes: 0 })] }),
      NOW,
    );
    expect(empty.kind === 'finished' && empty.outcome).toMatchObject({
      status: 'failed',
    });
    expect(empty.kind === 'finished' && empty.outcome.sha256).toBeFalsy();
  });

  it('is partially failed when the primary tier was stored and a later step failed', () => {
    const result = observeJob(
      run,
      job({
        state: 'failed',
        error: 'upload to s3 failed',
        snapshots: [snapshot('local')],
      }),
      NOW,
    );
    expect(result.kind === 'finished' && result.outcome).toMatchObject({
      status: 'partially_failed',
      snapshotId: 'snap-local',
      error: 'Stored local but then failed: upload to s3 failed',
    });
  });

  it("is failed with the agent's reason otherwise", () => {
    const result = observeJob(
      run,
      job({ state: 'failed', error: 'sqlite: database is locked' }),
      NOW,
    );
    expect(result.kind === 'finished' && result.outcome).toMatchObject({
      status: 'failed',
      error: 'sqlite: database is locked',
    });
  });

  it("records how an agent group backup was cut, with this member's own phases", () => {
    const observed = observeJob(
      { ...run, target: 'app-db' },
      job({
        subject: { kind: 'target', name: 'app-db' },
        downtimeMs: 850,
        snapshots: [snapshot('local')],
        details: {
          mode: 'cut',
          cutAt: '2026-11-21T10:00:03.000Z',
          stoppedContainers: ['shop-app'],
          downtimeMs: 850,
          members: [
            {
              target: 'app-db',
              state: 'stored',
              phases: { preflightMs: 40, cutMs: 12, streamMs: 3000 },
            },
            { target: 'files', state: 'stored', phases: { cutMs: 700 } },
          ],
        },
      }),
      NOW,
    );
    expect(observed).toMatchObject({
      kind: 'finished',
      outcome: {
        status: 'succeeded',
        downtimeMs: 850,
        groupCut: {
          mode: 'cut',
          cutAt: '2026-11-21T10:00:03.000Z',
          stoppedContainers: ['shop-app'],
          writerDowntimeMs: 850,
          phases: { preflightMs: 40, cutMs: 12, streamMs: 3000 },
        },
      },
    });
  });

  it('records no group cut for a single target or an agent that reports no mode', () => {
    const observed = observeJob(
      run,
      job({ snapshots: [snapshot('local')], details: { members: [] } }),
      NOW,
    );
    expect(observed.kind === 'finished' && observed.outcome.groupCut).toBe(
      undefined,
    );
  });
});
