import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockApis } from '@backstage/test-utils';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import { renderRestoreUi } from '../../__testUtils__/renderRestoreUi';
import {
  makePreview,
  makeRestore,
  makeSnapshot,
} from '../../__testUtils__/restoreFixtures';
import { RequestRestoreButton } from './RequestRestoreButton';

const user = userEvent.setup({ delay: null });

const entityRef = { kind: 'Resource', namespace: 'default', name: 'orders-db' };

function apiWithSnapshots() {
  const api = new FakeBackupsApi();
  api.snapshots = [
    makeSnapshot('20261120T010000Z'),
    makeSnapshot('20261120T010000Z', { tier: 'offsite' }),
    makeSnapshot('20261119T010000Z'),
  ];
  return api;
}

async function openDialog() {
  await user.click(
    await screen.findByRole('button', { name: 'Request restore' }),
  );
  return within(await screen.findByRole('dialog'));
}

jest.setTimeout(30_000);

describe('RequestRestoreButton', () => {
  it('asks for a reason, sends the request, and shows the preview the backend computed', async () => {
    const api = apiWithSnapshots();
    const created = makeRestore({
      destination: { kind: 'other', path: 'orders_copy' },
      preview: makePreview({ overwrites: false }),
    });
    api.requestRestoreImpl = async () => created;
    const onCreated = jest.fn();
    await renderRestoreUi(
      <RequestRestoreButton entityRef={entityRef} onCreated={onCreated} />,
      { api, user: 'user:default/ann' },
    );

    const dialog = await openDialog();
    // Latest by default, named.
    expect(
      await dialog.findByText('Latest (20261120T010000Z)'),
    ).toBeInTheDocument();
    await user.click(dialog.getByRole('button', { name: 'Request restore' }));
    expect(
      dialog.getByText('Say why the restore is needed: the approver reads it.'),
    ).toBeInTheDocument();
    expect(api.calls.requestRestore).toHaveLength(0);

    await user.click(dialog.getByLabelText('Elsewhere on the same agent'));
    await user.type(
      dialog.getByRole('textbox', { name: 'Database name or path' }),
      'orders_copy',
    );
    await user.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'compare March orders',
    );
    await user.click(dialog.getByRole('button', { name: 'Request restore' }));

    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    expect(api.calls.requestRestore).toEqual([
      {
        entity: entityRef,
        request: {
          reason: 'compare March orders',
          destination: { kind: 'other', path: 'orders_copy' },
        },
      },
    ]);
    expect(
      await dialog.findByText(/Request recorded \(waiting for approval\)/),
    ).toBeInTheDocument();
    const preview = within(
      dialog.getByRole('region', { name: 'Restore preview' }),
    );
    expect(preview.getByTestId('restore-verification')).toHaveTextContent(
      'Verified. local: 2 of 2 artifact(s) re-read',
    );
    expect(preview.getByText('orders-api')).toBeInTheDocument();
    expect(
      preview.getByText('About 1 m 30 s (median of past backups)'),
    ).toBeInTheDocument();
    expect(
      preview.getByText(
        /Kept: the agent refuses to restore into a destination that holds data/,
      ),
    ).toBeInTheDocument();
    // The requester never approves their own request.
    expect(dialog.getByRole('button', { name: 'Approve' })).toBeDisabled();
    expect(
      dialog.getByText('You asked for it, so someone else must approve it.'),
    ).toBeInTheDocument();
  });

  it("restores into another entity's target when one is named", async () => {
    const api = apiWithSnapshots();
    const target = (ref: string, engine: string) => ({
      entityRef: ref,
      owner: 'group:default/team-a',
      agent: 'staging-host',
      target: 'orders-db',
      engine,
      schedule: null,
      health: 'ok' as const,
      lastRun: null,
    });
    api.targets = [
      target('resource:default/orders-db', 'postgres'),
      target('resource:default/orders-db-staging', 'postgres'),
      target('resource:default/sessions-staging', 'redis'),
    ];
    api.requestRestoreImpl = async (_entity, request) =>
      makeRestore({
        destination: {
          kind: 'entity',
          entityRef: 'resource:default/orders-db-staging',
          agent: 'staging-host',
          target: 'orders-db',
          from: 'orders-db',
        },
        reason: request.reason,
        preview: makePreview({ overwrites: false }),
      });
    await renderRestoreUi(<RequestRestoreButton entityRef={entityRef} />, {
      api,
      user: 'user:default/ann',
    });

    const dialog = await openDialog();
    await user.click(
      dialog.getByLabelText(
        "Into another entity's target: a staging copy, or another host",
      ),
    );
    await user.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'rebuild staging from production',
    );
    await user.click(dialog.getByRole('button', { name: 'Request restore' }));
    expect(
      dialog.getByText(
        'Name the entity to restore into, e.g. resource:default/orders-db-staging.',
      ),
    ).toBeInTheDocument();
    expect(api.calls.requestRestore).toHaveLength(0);

    // Offered as you type: entities of the same engine, never this one.
    await user.type(
      dialog.getByRole('textbox', { name: 'Entity to restore into' }),
      'staging',
    );
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'resource:default/orders-db-stagingtarget orders-db on agent staging-host',
    ]);
    await user.click(options[0]);
    await user.click(dialog.getByRole('button', { name: 'Request restore' }));
    await dialog.findByText(/Request recorded/);
    expect(api.calls.requestRestore).toEqual([
      {
        entity: entityRef,
        request: {
          reason: 'rebuild staging from production',
          destination: {
            kind: 'entity',
            entityRef: 'resource:default/orders-db-staging',
          },
        },
      },
    ]);
  });

  it('sends the snapshot picked from the list (one entry per snapshot, not per tier)', async () => {
    const api = apiWithSnapshots();
    api.requestRestoreImpl = async () =>
      makeRestore({ snapshotId: '20261119T010000Z' });
    await renderRestoreUi(<RequestRestoreButton entityRef={entityRef} />, {
      api,
    });
    const dialog = await openDialog();
    await user.click(await dialog.findByText('Latest (20261120T010000Z)'));
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'Latest (20261120T010000Z)',
      expect.stringMatching(/^20261120T010000Z, .*, 5\.0 MiB$/),
      expect.stringMatching(/^20261119T010000Z, /),
    ]);
    await user.click(options[2]);
    await user.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'yesterday',
    );
    await user.click(dialog.getByRole('button', { name: 'Request restore' }));
    await waitFor(() =>
      expect(api.calls.requestRestore).toEqual([
        {
          entity: entityRef,
          request: { reason: 'yesterday', snapshotId: '20261119T010000Z' },
        },
      ]),
    );
  });

  it('shows the refusals in red and keeps approve disabled for a refused request', async () => {
    const api = apiWithSnapshots();
    api.requestRestoreImpl = async () =>
      makeRestore({
        status: 'refused',
        preview: makePreview({
          verified: false,
          verification:
            'Verification failed: local: orders.dump.zst: sha256 mismatch',
          refusals: [
            'the snapshot failed verification, so the agent would refuse it: sha256 mismatch',
          ],
        }),
      });
    await renderRestoreUi(<RequestRestoreButton entityRef={entityRef} />, {
      api,
    });
    const dialog = await openDialog();
    await user.type(
      dialog.getByRole('textbox', { name: /Reason/ }),
      'restore it',
    );
    await user.click(dialog.getByRole('button', { name: 'Request restore' }));

    const alerts = await dialog.findAllByRole('alert');
    const alert = alerts.find(a =>
      a.textContent?.includes('Refused: this restore cannot be approved'),
    )!;
    expect(alert).toBeDefined();
    expect(alert).toHaveTextContent(
      'the snapshot failed verification, so the agent would refuse it: sha256 mismatch',
    );
    expect(alert.className).toMatch(/standardError/);
    expect(dialog.getByTestId('restore-verification')).toHaveTextContent(
      'Not verified. Verification failed',
    );
    expect(dialog.getByRole('button', { name: 'Approve' })).toBeDisabled();
    expect(
      dialog.getByText('Refused requests cannot be approved.'),
    ).toBeInTheDocument();
  });

  it("shows the backend's reason when the request cannot be made", async () => {
    const api = apiWithSnapshots();
    api.requestRestoreImpl = async () => {
      throw new Error('agent "db-host-1" is unreachable');
    };
    await renderRestoreUi(<RequestRestoreButton entityRef={entityRef} />, {
      api,
    });
    const dialog = await openDialog();
    await user.type(dialog.getByRole('textbox', { name: /Reason/ }), 'x');
    await user.click(dialog.getByRole('button', { name: 'Request restore' }));
    expect(
      await dialog.findByText(
        'Could not request the restore: agent "db-host-1" is unreachable',
      ),
    ).toBeInTheDocument();
  });

  it('is disabled for people who may not ask for restores', async () => {
    const api = apiWithSnapshots();
    await renderRestoreUi(
      <RequestRestoreButton entityRef={{ ...entityRef, name: 'locked-db' }} />,
      {
        api,
        permission: mockApis.permission({ authorize: AuthorizeResult.DENY }),
      },
    );
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Request restore' }),
      ).toBeDisabled(),
    );
    expect(
      screen.getByText(/permission backups.restore.request/),
    ).toBeInTheDocument();
  });
});
