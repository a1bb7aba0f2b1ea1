import { screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import { backupsApiRef } from '../../api';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import { makeRun, makeSummary, policy } from '../../__testUtils__/fixtures';
import { responseError } from '../../__testUtils__/responseError';
import { SnapshotTiersCard } from './SnapshotTiersCard';

const GiB = 1024 ** 3;
const daysAgo = (days: number) =>
  new Date(Date.now() - days * 86_400_000).toISOString();

function snapshot(id: string, tier: string, days: number): AgentSnapshot {
  return {
    id,
    target: 'orders',
    tier,
    createdAt: daysAgo(days),
    bytes: GiB,
    rawBytes: 3 * GiB,
    sha256: 'a'.repeat(64),
    artifacts: [],
    location: `file:///backups/${tier}/${id}`,
    engine: 'postgres',
    engineVersion: '15',
    manifestVersion: 1,
  };
}

const entityRef = { kind: 'Resource', namespace: 'default', name: 'orders-db' };

function renderCard(api: FakeBackupsApi, retentionOffsite: string | null) {
  const lastSuccess = makeRun({ location: 'file:///backups/local/s3' });
  return renderInTestApp(
    <TestApiProvider apis={[[backupsApiRef, api]]}>
      <SnapshotTiersCard
        entityRef={entityRef}
        refreshKey="k"
        summary={makeSummary({
          lastSuccess,
          policy: { ...policy, retentionOffsite },
        })}
      />
    </TestApiProvider>,
  );
}

describe('SnapshotTiersCard', () => {
  it('shows each tier with its snapshots and the retention that prunes it', async () => {
    const api = new FakeBackupsApi();
    api.snapshots = [
      snapshot('s3', 'offsite', 1),
      snapshot('s3', 'local', 1),
      snapshot('s2', 'local', 2),
      snapshot('s1', 'local', 3),
    ];
    await renderCard(api, 'keep-monthly=12 min=3');

    const local = await screen.findByRole('region', { name: 'Tier local' });
    expect(local).toHaveTextContent('primary tier');
    expect(local).toHaveTextContent('keep-last=7 keep-daily=14 min=3');
    expect(local).toHaveTextContent(
      'Keeps the newest 7, one per day for 14 days; never fewer than 3.',
    );
    expect(local).toHaveTextContent('3 stored, 3.0 GiB in all');
    expect(within(local).getByText('yesterday')).toBeInTheDocument();
    expect(within(local).getByText('3 days ago')).toBeInTheDocument();

    const offsite = screen.getByRole('region', { name: 'Tier offsite' });
    expect(offsite).toHaveTextContent('keep-monthly=12 min=3');
    expect(offsite).toHaveTextContent('1 stored, 1.0 GiB in all');
    expect(api.calls.listSnapshots).toEqual([entityRef]);
  });

  it('says a tier without retention keeps everything, and how to add one', async () => {
    const api = new FakeBackupsApi();
    api.snapshots = [snapshot('s3', 'local', 1), snapshot('s3', 'offsite', 1)];
    await renderCard(api, null);

    const offsite = await screen.findByRole('region', { name: 'Tier offsite' });
    expect(offsite).toHaveTextContent('None: nothing is pruned.');
    expect(offsite).toHaveTextContent('Add safekeep.io/retention-offsite');
  });

  it('still shows the retention when the agent cannot list the snapshots', async () => {
    const api = new FakeBackupsApi();
    api.snapshotsError = await responseError(
      502,
      'Bad Gateway',
      'agent demo-host did not answer: ECONNREFUSED',
    );
    await renderCard(api, 'keep-monthly=12 min=3');

    expect(
      await screen.findByText(
        /Could not list the snapshots; showing the retention only/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/agent demo-host did not answer/),
    ).toBeInTheDocument();
    const primary = screen.getByRole('region', { name: 'Tier primary' });
    expect(primary).toHaveTextContent('keep-last=7 keep-daily=14 min=3');
    expect(primary).toHaveTextContent('unknown: the list could not be read');
    expect(
      screen.getByRole('region', { name: 'Tier offsite' }),
    ).toBeInTheDocument();
  });

  it('shows progress while the snapshots load', async () => {
    const api = new FakeBackupsApi();
    api.listSnapshots = () => new Promise(() => {});
    await renderCard(api, null);

    expect(
      await screen.findByRole('progressbar', { name: 'Loading the snapshots' }),
    ).toBeInTheDocument();
  });
});
