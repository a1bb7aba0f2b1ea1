import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockApis } from '@backstage/test-utils';
import type { EntityBackupSummary } from '@safekeep/plugin-backups-common';
import { giveChartsASize } from '../../__testUtils__/chartLayout';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import {
  bareEntity,
  configuredEntity,
  makeRun,
  makeSummary,
  SHA,
} from '../../__testUtils__/fixtures';
import { renderWithEntity } from '../../__testUtils__/renderWithEntity';
import { makeRestore } from '../../__testUtils__/restoreFixtures';
import { responseError } from '../../__testUtils__/responseError';
import { EntityBackupsContent } from './EntityBackupsContent';

function render(
  api: FakeBackupsApi,
  entity: Entity = configuredEntity,
  permission = mockApis.permission(),
) {
  return renderWithEntity(<EntityBackupsContent />, {
    entity,
    api,
    permission,
  });
}

const hoursAgo = (hours: number) =>
  new Date(Date.now() - hours * 3_600_000).toISOString();

/** A summary whose last success finished `hours` ago. */
function okSummary(hours = 2): EntityBackupSummary {
  const lastSuccess = makeRun({
    finishedAt: hoursAgo(hours),
    startedAt: hoursAgo(hours + 0.05),
  });
  return makeSummary({
    lastSuccess,
    lastRun: lastSuccess,
    nextRunAt: new Date(Date.now() + 3 * 3_600_000).toISOString(),
  });
}

// Each test renders the whole tab in jsdom: seconds on a busy 2-core machine, not Jest's 5 s.
jest.setTimeout(30_000);

describe('EntityBackupsContent', () => {
  giveChartsASize();

  it('shows progress while the summary loads', async () => {
    const api = new FakeBackupsApi();
    api.getSummary = () => new Promise(() => {});
    await render(api);
    expect(await screen.findByRole('progressbar')).toBeInTheDocument();
  });

  it("shows the backend's error when the summary cannot be read", async () => {
    const api = new FakeBackupsApi();
    api.summaryError = await responseError(
      403,
      'Forbidden',
      'you may not read backups of this entity',
      'NotAllowedError',
    );
    await render(api);
    expect(
      await screen.findByText(/Could not read the backup status/),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(/you may not read backups of this entity/).length,
    ).toBeGreaterThan(0);
  });

  it('teaches an entity without annotations what to add, without asking the backend', async () => {
    const api = new FakeBackupsApi();
    await render(api, bareEntity);

    expect(
      screen.getByText('Backups are not set up for this entity'),
    ).toBeInTheDocument();
    const yaml = screen.getByText(/safekeep\.io\/agent/).closest('pre')!;
    expect(yaml).toHaveTextContent('kind: Resource');
    expect(yaml).toHaveTextContent('name: cache');
    expect(yaml).toHaveTextContent('safekeep.io/target: "my-database"');
    expect(yaml).toHaveTextContent('safekeep.io/engine: "redis"');
    expect(yaml).toHaveTextContent(
      'safekeep.io/schedule: "daily 01:00 Europe/Zurich"',
    );
    expect(api.calls.getSummary).toHaveLength(0);
  });

  it('shows the setup instructions too when the backend says the entity is unconfigured', async () => {
    const api = new FakeBackupsApi({
      summaries: [
        makeSummary({
          health: 'unconfigured',
          policy: null,
          lastRun: null,
          lastSuccess: null,
        }),
      ],
    });
    await render(api);
    expect(
      await screen.findByText('Backups are not set up for this entity'),
    ).toBeInTheDocument();
  });

  it('flags the snapshots that failed scheduled verification', async () => {
    const api = new FakeBackupsApi({
      summaries: [
        {
          ...okSummary(),
          snapshotVerification: {
            lastVerifiedAt: hoursAgo(1),
            passed: 4,
            failed: [
              {
                snapshotId: '20261203T040000Z',
                tier: 'offsite',
                problem: 'verification failed: app.db.zst: sha256 differs',
                verifiedAt: hoursAgo(1),
              },
            ],
          },
        },
      ],
    });
    await render(api);
    expect(
      await screen.findByText(/1 snapshot failed scheduled verification/),
    ).toBeInTheDocument();
    const table = screen.getByRole('table', {
      name: 'Snapshots that failed verification',
    });
    expect(within(table).getByText('20261203T040000Z')).toBeInTheDocument();
    expect(within(table).getByText('offsite')).toBeInTheDocument();
    expect(
      within(table).getByText(
        'verification failed: app.db.zst: sha256 differs',
      ),
    ).toBeInTheDocument();
  });

  it('lists each annotation problem with its value and message', async () => {
    const api = new FakeBackupsApi({
      summaries: [
        makeSummary({
          health: 'invalid',
          healthReason: 'The annotations have 2 problems.',
          policy: null,
          lastRun: null,
          lastSuccess: null,
          nextRunAt: null,
          problems: [
            {
              annotation: 'safekeep.io/schedule',
              value: 'dialy 01:00',
              message:
                '"dialy 01:00" is neither a cron expression nor a known shortcut',
            },
            {
              annotation: 'safekeep.io/target',
              message: 'missing: add safekeep.io/target: <target name>',
            },
          ],
        }),
      ],
    });
    await render(api);

    const table = await screen.findByRole('table', {
      name: 'Annotation problems',
    });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('safekeep.io/schedule');
    expect(rows[1]).toHaveTextContent('dialy 01:00');
    expect(rows[1]).toHaveTextContent(
      'is neither a cron expression nor a known shortcut',
    );
    expect(rows[2]).toHaveTextContent('safekeep.io/target');
    expect(rows[2]).toHaveTextContent('not set');
    expect(rows[2]).toHaveTextContent('missing: add safekeep.io/target');
  });

  it('says plainly when the entity was never backed up', async () => {
    const api = new FakeBackupsApi({
      summaries: [
        makeSummary({
          health: 'never',
          healthReason: 'No backup has run yet; the first is due tonight.',
          lastRun: null,
          lastSuccess: null,
        }),
      ],
    });
    await render(api);

    expect(await screen.findByText('Never backed up')).toBeInTheDocument();
    expect(
      screen.getByText('No backup has run yet; the first is due tonight.'),
    ).toBeInTheDocument();
    expect(screen.getByText('No successful backup yet')).toBeInTheDocument();
    expect(
      await screen.findByText('No backup has run yet.'),
    ).toBeInTheDocument();
  });

  it('shows an ok entity with its latest snapshot: size, full sha256, id, location, RPO met', async () => {
    const summary = okSummary(2);
    const api = new FakeBackupsApi({
      summaries: [summary],
      runs: [summary.lastSuccess!],
    });
    await render(api);

    expect(await screen.findByText('OK')).toHaveAttribute('data-health', 'ok');
    expect(screen.getByText(summary.healthReason)).toBeInTheDocument();
    const latest = within(
      screen
        .getByText('Latest snapshot')
        .closest('.MuiCard-root') as HTMLElement,
    );
    expect(
      latest.getByText('2 hours ago', { selector: 'time' }),
    ).toBeInTheDocument();
    expect(
      latest.getByText('in 3 hours', { selector: 'time' }),
    ).toBeInTheDocument();
    expect(latest.getByText('1.5 GiB')).toBeInTheDocument();
    expect(
      screen.getByText('(5.0 GiB before compression)'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('snapshot-sha256')).toHaveTextContent(SHA);
    expect(
      screen.getByRole('button', { name: 'Copy sha256' }),
    ).toBeInTheDocument();
    expect(screen.getByText('20261120T000001Z-orders')).toBeInTheDocument();
    expect(
      screen.getByText('file:///var/backups/orders/20261120T000001Z-orders'),
    ).toBeInTheDocument();
    expect(screen.getByText('met')).toBeInTheDocument();
    // No restore has been verified, and nothing would verify one.
    expect(
      latest.getByText(
        'Never: no restore of this entity has passed its check yet',
      ),
    ).toBeInTheDocument();
    expect(
      latest.getByText(/^no drills: add safekeep.io\/restore-drill/),
    ).toBeInTheDocument();
  });

  it('shows when a restore was last verified, and the drills that keep it so', async () => {
    const summary = okSummary(2);
    const api = new FakeBackupsApi({
      summaries: [
        {
          ...summary,
          lastVerifiedRestoreAt: hoursAgo(5),
          policy: {
            ...summary.policy!,
            restoreDrill: {
              schedule: 'weekly sunday 05:00 UTC',
              destination: 'orders_drill',
            },
          },
        },
      ],
      runs: [summary.lastSuccess!],
    });
    await render(api);
    const latest = within(
      (await screen.findByText('Latest snapshot')).closest(
        '.MuiCard-root',
      ) as HTMLElement,
    );
    const verified = latest.getByText('Last verified restore')
      .nextElementSibling as HTMLElement;
    expect(within(verified).getByText('5 hours ago')).toBeInTheDocument();
    expect(
      within(verified).getByText(
        'drills "weekly sunday 05:00 UTC" into orders_drill',
      ),
    ).toBeInTheDocument();
  });

  it('says the RPO is not met when the last success is older than it', async () => {
    const api = new FakeBackupsApi({
      summaries: [
        {
          ...okSummary(30),
          health: 'late',
          healthReason: 'Last success 30 hours ago exceeds the 26h RPO.',
        },
      ],
    });
    await render(api);
    expect(await screen.findByText('Late')).toHaveAttribute(
      'data-health',
      'late',
    );
    expect(screen.getByText('not met')).toBeInTheDocument();
  });

  it('shows a failing entity with the error and a hint', async () => {
    const failed = makeRun({
      id: 'run-2',
      status: 'failed',
      error:
        'pg_dump: error: connection to server at "10.0.0.5", port 5432 failed: Connection refused',
      bytesStored: null,
      sha256: null,
    });
    const api = new FakeBackupsApi({
      summaries: [
        makeSummary({
          health: 'failing',
          healthReason: 'The last 3 runs failed.',
          lastRun: failed,
        }),
      ],
      runs: [failed],
    });
    await render(api);

    expect(await screen.findByText('Failing')).toHaveAttribute(
      'data-health',
      'failing',
    );
    expect(screen.getByText('The last 3 runs failed.')).toBeInTheDocument();
    expect(screen.getByText('Last run failed')).toBeInTheDocument();
    // Once in the health card, once in the run history.
    await waitFor(() =>
      expect(screen.getAllByText(/Connection refused/)).toHaveLength(2),
    );
    expect(
      screen.getAllByText(/check that safekeep-agent runs on the host/).length,
    ).toBeGreaterThan(0);
  });

  it('starts a backup, shows its phase while polling, then the finished result', async () => {
    const finished = makeRun({
      id: 'run-new',
      trigger: 'user',
      finishedAt: new Date().toISOString(),
      durationMs: 77_000,
    });
    const running = makeRun({
      id: 'run-new',
      status: 'running',
      phase: 'dumping',
      finishedAt: null,
      durationMs: null,
    });
    const before = okSummary(20);
    const api = new FakeBackupsApi({
      summaries: [
        before,
        { ...before, runningRun: running, lastRun: running },
        {
          ...before,
          runningRun: { ...running, phase: 'uploading' },
          lastRun: running,
        },
        {
          ...before,
          lastRun: finished,
          lastSuccess: finished,
          healthReason: 'Last success just now.',
        },
      ],
      runs: [before.lastSuccess!],
    });
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Back up now' }),
    );

    expect(api.calls.startRun).toEqual([
      { kind: 'Resource', namespace: 'default', name: 'orders-db' },
    ]);
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Backup running, phase: dumping',
    );
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeDisabled();

    // The next polls (every 2 s) move the phase on, then see the run finished.
    expect(
      await screen.findByText(/phase: uploading/, {}, { timeout: 4000 }),
    ).toBeInTheDocument();
    api.runs.unshift(finished);
    expect(
      await screen.findByText('Last success just now.', {}, { timeout: 4000 }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeEnabled();
    // The run history read its first page again and shows the new run.
    expect(await screen.findByText('1 m 17 s')).toBeInTheDocument();
  }, 15_000);

  it('says clearly that a backup is already running when the backend answers 409', async () => {
    const api = new FakeBackupsApi({ summaries: [okSummary()] });
    const conflict = await responseError(
      409,
      'Conflict',
      'a backup of resource:default/orders-db is already running (run run-7)',
    );
    api.startRunImpl = () => Promise.reject(conflict);
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Back up now' }),
    );

    expect(
      await screen.findByText(
        /A backup of this entity is already running, so no new one was started/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/is already running \(run run-7\)/),
    ).toBeInTheDocument();
  });

  it('shows why another failure to start a backup happened', async () => {
    const api = new FakeBackupsApi({ summaries: [okSummary()] });
    const refusal = await responseError(
      503,
      'Service Unavailable',
      'agent db-host-1 is unreachable',
    );
    api.startRunImpl = () => Promise.reject(refusal);
    await render(api);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Back up now' }),
    );

    expect(
      await screen.findByText(
        'Could not start a backup: agent db-host-1 is unreachable',
      ),
    ).toBeInTheDocument();
  });

  it('does not offer "Back up now" to someone without the permission', async () => {
    const api = new FakeBackupsApi({ summaries: [okSummary()] });
    // Another entity: usePermission caches answers per entity across tests (SWR).
    const locked = {
      ...configuredEntity,
      metadata: { ...configuredEntity.metadata, name: 'locked-db' },
    };
    await render(
      api,
      locked,
      mockApis.permission({ authorize: AuthorizeResult.DENY }),
    );

    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Back up now' }),
      ).toBeDisabled(),
    );
    expect(
      screen.getByText(/You may not start backups of this entity/),
    ).toBeInTheDocument();
  });

  it('draws the size trend from the sizes route, and lists snapshots per tier', async () => {
    const runs = Array.from({ length: 5 }, (_, i) =>
      makeRun({
        id: `r${i}`,
        finishedAt: hoursAgo(24 * (i + 1)),
        bytesStored: (10 - i) * 1024 ** 3,
      }),
    );
    const api = new FakeBackupsApi({ summaries: [okSummary()], runs });
    api.sizesImpl = async days => ({
      entityRef: 'resource:default/orders-db',
      days,
      points: runs
        .map(run => ({
          at: run.finishedAt!,
          bytesStored: run.bytesStored!,
          bytesRaw: run.bytesRaw!,
        }))
        .reverse(),
      growthBytesPer30Days: 30 * 1024 ** 3,
    });
    await render(api);

    expect(
      await screen.findByRole('img', {
        name: /Size of a restore and new bytes stored of 5 successful backups over the last 30 days/,
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Growth: \+30\.0 GiB per month/),
    ).toBeInTheDocument();
    expect(api.calls.getSizes).toContainEqual(
      expect.objectContaining({ name: 'orders-db', days: 30 }),
    );
    expect(
      await screen.findByRole('region', { name: /Tier primary/ }),
    ).toHaveTextContent('keep-last=7 keep-daily=14 min=3');
  });

  it("shows a consistency group System's group restores, asking for the whole group", async () => {
    const api = new FakeBackupsApi();
    api.requestRestoreImpl = async (_entity, request) =>
      makeRestore({
        id: 'group-1',
        entityRef: 'system:default/orders',
        reason: request.reason,
        requestedBy: 'user:default/someone',
      });
    const system: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: {
        name: 'orders',
        namespace: 'default',
        annotations: { 'safekeep.io/consistency-group': 'orders' },
      },
      spec: { owner: 'group:default/team' },
      relations: [
        { type: 'hasPart', targetRef: 'resource:default/orders-db' },
        { type: 'hasPart', targetRef: 'resource:default/orders-files' },
      ],
    };
    await render(api, system);

    expect(
      await screen.findByText('Consistency group orders'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'orders-db' })).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'orders-files' }),
    ).toBeInTheDocument();
    // The group has no summary of its own: its members do.
    expect(api.calls.getSummary).toEqual([]);

    await userEvent.click(
      await screen.findByRole('button', { name: 'Request restore' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    expect(
      dialog.getByText(/A consistency group is restored as a whole/),
    ).toBeInTheDocument();
    await userEvent.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'bad deploy',
    );
    await userEvent.click(
      dialog.getByRole('button', { name: 'Request restore' }),
    );
    await dialog.findByText(/Request recorded/);
    expect(api.calls.requestRestore).toEqual([
      {
        entity: { kind: 'System', namespace: 'default', name: 'orders' },
        request: { reason: 'bad deploy' },
      },
    ]);
  });
});
