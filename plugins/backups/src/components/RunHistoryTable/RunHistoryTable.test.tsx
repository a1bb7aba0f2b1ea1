import { useState } from 'react';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import { configuredEntity, makeRun, SHA } from '../../__testUtils__/fixtures';
import { renderWithEntity } from '../../__testUtils__/renderWithEntity';
import { RunHistoryTable } from './RunHistoryTable';

const entityRef = { kind: 'Resource', namespace: 'default', name: 'orders-db' };

function runs(count: number) {
  return Array.from({ length: count }, (_, i) =>
    makeRun({
      id: `run-${i}`,
      snapshotId: `snap-${i}`,
      error: null,
      durationMs: (i + 1) * 1000,
    }),
  );
}

// Each test renders a table of many runs in jsdom: seconds on a busy 2-core machine, not Jest's 5 s.
jest.setTimeout(30_000);

describe('RunHistoryTable', () => {
  it('shows a page of runs and asks the API for the next page by offset', async () => {
    const api = new FakeBackupsApi({ runs: runs(23) });
    await renderWithEntity(
      <RunHistoryTable entityRef={entityRef} refreshKey="a" />,
      {
        entity: configuredEntity,
        api,
      },
    );

    expect(await screen.findByText('1 s')).toBeInTheDocument();
    expect(api.calls.listRuns.at(-1)).toMatchObject({
      ...entityRef,
      limit: 10,
      offset: 0,
    });
    expect(screen.getAllByText('1-10 of 23').length).toBeGreaterThan(0);

    await userEvent.click(screen.getByRole('button', { name: /next page/i }));

    expect(await screen.findByText('11 s')).toBeInTheDocument();
    expect(api.calls.listRuns.at(-1)).toMatchObject({ limit: 10, offset: 10 });
    expect(screen.queryByText('1 s')).not.toBeInTheDocument();
  });

  it('shows each column a person needs to judge a run', async () => {
    const api = new FakeBackupsApi({
      runs: [
        makeRun({
          id: 'failed',
          status: 'failed',
          trigger: 'user',
          triggeredBy: 'user:default/jane',
          bytesStored: null,
          sha256: null,
          durationMs: 4000,
          error:
            'pg_dump: error: connection to server failed: Connection refused',
        }),
        makeRun({ id: 'ok', downtimeMs: 12_000 }),
      ],
    });
    await renderWithEntity(
      <RunHistoryTable entityRef={entityRef} refreshKey="a" />,
      {
        entity: configuredEntity,
        api,
      },
    );

    const failedRow = (await screen.findByText(/Connection refused/)).closest(
      'tr',
    )!;
    expect(within(failedRow).getByText('Failed')).toBeInTheDocument();
    expect(
      within(failedRow).getByText('Manual by user:default/jane'),
    ).toBeInTheDocument();
    expect(
      within(failedRow).getByText(/agent or the service could not be reached/),
    ).toBeInTheDocument();

    const okRow = screen.getByText('Succeeded').closest('tr')!;
    expect(within(okRow).getByText('Scheduled')).toBeInTheDocument();
    expect(within(okRow).getByText('2 m 12 s')).toBeInTheDocument();
    expect(within(okRow).getByText('12 s')).toBeInTheDocument();
    expect(within(okRow).getByText('1.5 GiB')).toBeInTheDocument();
    expect(within(okRow).getByText(SHA.slice(0, 12))).toHaveAttribute(
      'title',
      SHA,
    );
  });

  it('reads the page again when a run starts or finishes', async () => {
    const api = new FakeBackupsApi({ runs: runs(3) });
    function Harness() {
      const [refreshKey, setRefreshKey] = useState('run-1:running');
      return (
        <>
          <button onClick={() => setRefreshKey('run-1:succeeded')}>
            finish
          </button>
          <RunHistoryTable entityRef={entityRef} refreshKey={refreshKey} />
        </>
      );
    }
    await renderWithEntity(<Harness />, { entity: configuredEntity, api });
    await screen.findByText('1 s');
    api.runs.unshift(makeRun({ id: 'run-new', durationMs: 99_000 }));

    await userEvent.click(screen.getByRole('button', { name: 'finish' }));

    expect(await screen.findByText('1 m 39 s')).toBeInTheDocument();
  });

  it("shows how a group member's run was cut: mode, what was stopped, when, its phases", async () => {
    const api = new FakeBackupsApi({
      runs: [
        makeRun({
          id: 'member',
          downtimeMs: 12_000,
          groupCut: {
            mode: 'cut',
            cutAt: '2026-11-21T10:00:03.000Z',
            stoppedContainers: ['shop-app'],
            writerDowntimeMs: 12_000,
            phases: { preflightMs: 40, cutMs: 12, streamMs: 3000 },
          },
        }),
      ],
    });
    await renderWithEntity(
      <RunHistoryTable entityRef={entityRef} refreshKey="a" />,
      { entity: configuredEntity, api },
    );
    const row = (await screen.findByText('Succeeded')).closest('tr')!;
    expect(within(row).getByText('12 s')).toBeInTheDocument();
    expect(
      within(row).getByText(
        /^group cut \(writers stopped: shop-app\) · cut at /,
      ),
    ).toBeInTheDocument();
    expect(
      within(row).getByText('preflight 40 ms · cut 12 ms · stream 3 s'),
    ).toBeInTheDocument();
  });

  it('says what a scheduled run caught up after missed slots, and when the RPO was not held', async () => {
    const api = new FakeBackupsApi({
      runs: [
        makeRun({
          id: 'catch-up',
          trigger: 'schedule',
          catchUp: {
            missedSlots: 3,
            firstMissedSlot: '2026-11-21T13:00:00.000Z',
            lateMs: 40 * 60_000,
            sinceLastSuccessMs: (4 * 60 + 40) * 60_000,
            rpoMs: 2 * 3600_000,
            rpoExceeded: true,
          },
        }),
      ],
    });
    await renderWithEntity(
      <RunHistoryTable entityRef={entityRef} refreshKey="a" />,
      { entity: configuredEntity, api },
    );
    expect(
      await screen.findByText(
        'caught up 3 missed slots, queued 40 m 00 s late; 4 h 40 m since the last success, over the RPO of 2 h 00 m',
      ),
    ).toBeInTheDocument();
  });
});
