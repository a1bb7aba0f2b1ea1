import { screen, within } from '@testing-library/react';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import { renderRestoreUi } from '../../__testUtils__/renderRestoreUi';
import { makeRestore } from '../../__testUtils__/restoreFixtures';
import { RestoreHistoryTable } from './RestoreHistoryTable';

jest.setTimeout(20_000);

const entityRef = { kind: 'Resource', namespace: 'default', name: 'orders-db' };

const succeeded = makeRestore({
  id: 'r-ok',
  status: 'succeeded',
  decidedBy: 'user:default/bob',
  decidedAt: '2026-11-20T09:05:00.000Z',
  decisionComment: 'matches INC-42',
  startedAt: '2026-11-20T09:05:02.000Z',
  finishedAt: '2026-11-20T09:07:05.000Z',
  durationMs: 123_000,
  check: { ok: true, differences: [], details: {} },
});

const failed = makeRestore({
  id: 'r-failed',
  status: 'failed',
  reason: 'second try',
  decidedBy: 'user:default/cid',
  durationMs: 4_000,
  error:
    'Restore failed: pg_restore exited 1 Nothing was restarted: orders-api stay stopped until you have checked the data and start them.',
});

const drill = makeRestore({
  id: 'r-drill',
  status: 'succeeded',
  drill: true,
  requestedBy: 'safekeep:restore-drill',
  reason: 'Scheduled restore drill',
  destination: { kind: 'other', path: 'orders_drill' },
  durationMs: 61_000,
  check: {
    ok: false,
    differences: ['public.orders: 10 rows recorded, 9 found'],
    details: {},
  },
});

function rowOf(text: string | RegExp) {
  return within(screen.getByText(text).closest('tr') as HTMLElement);
}

describe('RestoreHistoryTable', () => {
  it('shows who asked, who approved, what ran, how long and the check', async () => {
    const api = new FakeBackupsApi();
    api.restores = [drill, failed, succeeded];
    await renderRestoreUi(<RestoreHistoryTable entityRef={entityRef} />, {
      api,
    });

    await screen.findByText('“matches INC-42”');
    const ok = rowOf('“matches INC-42”');
    expect(ok.getByText('Succeeded')).toBeInTheDocument();
    expect(ok.getByText('user:default/ann')).toBeInTheDocument();
    expect(ok.getByText('user:default/bob')).toBeInTheDocument();
    expect(
      ok.getByText('Snapshot 20261120T010000Z, in place'),
    ).toBeInTheDocument();
    expect(ok.getByText('2 m 03 s')).toBeInTheDocument();
    expect(ok.getByText('Counts match the backup')).toBeInTheDocument();

    const bad = rowOf('“second try”');
    expect(bad.getByText('Failed')).toBeInTheDocument();
    expect(
      bad.getByText(/orders-api stay stopped until you have checked the data/),
    ).toBeInTheDocument();

    const drilled = rowOf('Scheduled drill');
    expect(drilled.getByText('drill')).toBeInTheDocument();
    expect(
      drilled.getByText('Snapshot 20261120T010000Z, into orders_drill'),
    ).toBeInTheDocument();
    expect(
      drilled.getByText(
        'Differs from the backup: public.orders: 10 rows recorded, 9 found',
      ),
    ).toBeInTheDocument();
    expect(api.calls.listRestores).toEqual([{ entity: entityRef, limit: 50 }]);
  });

  it('follows a running restore until it has finished', async () => {
    const api = new FakeBackupsApi();
    api.restores = [
      makeRestore({
        id: 'r-run',
        status: 'running',
        phase: 'restoring',
        decidedBy: 'user:default/bob',
      }),
    ];
    await renderRestoreUi(<RestoreHistoryTable entityRef={entityRef} />, {
      api,
    });
    expect(await screen.findByText('restoring')).toBeInTheDocument();
    api.restores = [{ ...succeeded, id: 'r-run' }];
    expect(
      await screen.findByText('Counts match the backup', {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.queryByText('restoring')).not.toBeInTheDocument();
  });

  it('says when there was no restore yet', async () => {
    await renderRestoreUi(<RestoreHistoryTable entityRef={entityRef} />, {
      api: new FakeBackupsApi(),
    });
    expect(
      await screen.findByText('No restore of this entity yet.'),
    ).toBeInTheDocument();
  });
});
