import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { mockApis } from '@backstage/test-utils';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import { renderRestoreUi } from '../../__testUtils__/renderRestoreUi';
import { makePreview, makeRestore } from '../../__testUtils__/restoreFixtures';
import { responseError } from '../../__testUtils__/responseError';
import { PendingApprovals } from './PendingApprovals';

jest.setTimeout(30_000);

const user = userEvent.setup({ delay: null });

function card(id = 'restore-1') {
  return within(screen.getByRole('article', { name: `Restore request ${id}` }));
}

async function findCard(id = 'restore-1') {
  await screen.findByText(/a migration deleted the March orders/);
  return card(id);
}

describe('PendingApprovals', () => {
  it("lets someone else approve, with the request's preview in view, and the list moves on", async () => {
    const api = new FakeBackupsApi();
    api.restores = [makeRestore()];
    const onDecided = jest.fn();
    await renderRestoreUi(<PendingApprovals onDecided={onDecided} />, {
      api,
      user: 'user:default/bob',
    });

    const request = await findCard();
    expect(request.getByText(/Asked by user:default\/ann/)).toBeInTheDocument();
    expect(request.getByText('orders-api')).toBeInTheDocument();
    expect(
      request.getByText(
        /Overwritten: the restore replaces what the destination holds now/,
      ),
    ).toBeInTheDocument();
    await user.type(
      request.getByRole('textbox', { name: 'Comment' }),
      'matches INC-42',
    );
    await user.click(request.getByRole('button', { name: 'Approve' }));

    await waitFor(() =>
      expect(api.calls.decideRestore).toEqual([
        { id: 'restore-1', decision: 'approve', comment: 'matches INC-42' },
      ]),
    );
    expect(
      await screen.findByText('No restore request waits for approval.'),
    ).toBeInTheDocument();
    expect(onDecided).toHaveBeenCalled();
  });

  it('needs a comment to reject', async () => {
    const api = new FakeBackupsApi();
    api.restores = [
      makeRestore({ id: 'restore-2', entityRef: 'resource:default/reject-db' }),
    ];
    await renderRestoreUi(<PendingApprovals />, {
      api,
      user: 'user:default/bob',
    });
    const request = await findCard('restore-2');
    await waitFor(() =>
      expect(request.getByRole('button', { name: 'Approve' })).toBeEnabled(),
    );
    expect(request.getByRole('button', { name: 'Reject' })).toBeDisabled();
    await user.type(
      request.getByRole('textbox', { name: 'Comment' }),
      'wrong snapshot',
    );
    await user.click(request.getByRole('button', { name: 'Reject' }));
    await waitFor(() =>
      expect(api.calls.decideRestore).toEqual([
        { id: 'restore-2', decision: 'reject', comment: 'wrong snapshot' },
      ]),
    );
  });

  it('never lets the requester approve their own request', async () => {
    const api = new FakeBackupsApi();
    api.restores = [
      makeRestore({ id: 'restore-3', entityRef: 'resource:default/own-db' }),
    ];
    await renderRestoreUi(<PendingApprovals />, {
      api,
      user: 'user:default/ann',
    });
    const request = await findCard('restore-3');
    expect(
      await request.findByText(
        'You asked for this restore, so someone else must approve it.',
      ),
    ).toBeInTheDocument();
    expect(request.getByRole('button', { name: 'Approve' })).toBeDisabled();
    expect(request.getByRole('button', { name: 'Reject' })).toBeDisabled();
  });

  it('lets the requester withdraw their own pending request, and only theirs', async () => {
    const api = new FakeBackupsApi();
    api.restores = [
      makeRestore({ id: 'mine', requestedBy: 'user:default/ann' }),
      makeRestore({ id: 'theirs', requestedBy: 'user:default/bob' }),
    ];
    await renderRestoreUi(<PendingApprovals />, {
      api,
      user: 'user:default/ann',
    });
    const theirs = within(
      await screen.findByRole('article', { name: 'Restore request theirs' }),
    );
    expect(
      theirs.queryByRole('button', { name: 'Withdraw' }),
    ).not.toBeInTheDocument();
    await user.click(card('mine').getByRole('button', { name: 'Withdraw' }));
    await waitFor(() =>
      expect(
        screen.queryByRole('article', { name: 'Restore request mine' }),
      ).not.toBeInTheDocument(),
    );
    expect(api.calls.withdrawRestore).toEqual(['mine']);
    expect(
      screen.getByRole('article', { name: 'Restore request theirs' }),
    ).toBeInTheDocument();
  });

  it('keeps approve disabled without the approve permission', async () => {
    const api = new FakeBackupsApi();
    api.restores = [
      makeRestore({ id: 'restore-4', entityRef: 'resource:default/locked-db' }),
    ];
    await renderRestoreUi(<PendingApprovals />, {
      api,
      user: 'user:default/bob',
      permission: mockApis.permission({ authorize: AuthorizeResult.DENY }),
    });
    const request = await findCard('restore-4');
    expect(
      await request.findByText(/permission backups.restore.approve/),
    ).toBeInTheDocument();
    expect(request.getByRole('button', { name: 'Approve' })).toBeDisabled();
  });

  it('keeps approve disabled for a restore into an entity the person may not approve restores into', async () => {
    const api = new FakeBackupsApi();
    api.restores = [
      makeRestore({
        id: 'restore-5',
        destination: {
          kind: 'entity',
          entityRef: 'resource:default/orders-db-staging',
          agent: 'staging-host',
          target: 'orders-db',
          from: 'orders-db',
        },
      }),
    ];
    await renderRestoreUi(<PendingApprovals />, {
      api,
      user: 'user:default/bob',
      permission: mockApis.permission({
        authorize: request =>
          (request as { resourceRef?: string }).resourceRef ===
          'resource:default/orders-db-staging'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      }),
    });
    const request = await findCard('restore-5');
    expect(
      request.getByText(
        /into resource:default\/orders-db-staging \(target orders-db on agent staging-host\)/,
      ),
    ).toBeInTheDocument();
    expect(
      await request.findByText(
        'You may not approve restores into resource:default/orders-db-staging (permission backups.restore.approve).',
      ),
    ).toBeInTheDocument();
    expect(request.getByRole('button', { name: 'Approve' })).toBeDisabled();
  });

  it('shows refusals in red and keeps approve disabled for a refused request', async () => {
    const api = new FakeBackupsApi();
    api.restores = [
      makeRestore({
        id: 'restore-5',
        entityRef: 'resource:default/broken-db',
        status: 'refused',
        preview: makePreview({
          verified: false,
          refusals: ['the snapshot failed verification: sha256 mismatch'],
        }),
      }),
    ];
    // A refused request shows with its reasons wherever it is listed.
    api.listRestores = async () => api.restores;
    await renderRestoreUi(<PendingApprovals />, {
      api,
      user: 'user:default/bob',
    });
    const request = await findCard('restore-5');
    expect(
      request.getByText('the snapshot failed verification: sha256 mismatch'),
    ).toBeInTheDocument();
    expect(
      request.getByText('Refused at preview: it can never be approved.'),
    ).toBeInTheDocument();
    expect(request.getByRole('button', { name: 'Approve' })).toBeDisabled();
  });

  it("shows the backend's answer when a decision is refused there", async () => {
    const api = new FakeBackupsApi();
    api.restores = [
      makeRestore({ id: 'restore-6', entityRef: 'resource:default/late-db' }),
    ];
    api.decideRestoreImpl = async () => {
      throw await responseError(
        409,
        'Conflict',
        'This request expired at 2026-11-21T09:00:00.000Z and can no longer be decided',
      );
    };
    await renderRestoreUi(<PendingApprovals />, {
      api,
      user: 'user:default/bob',
    });
    const request = await findCard('restore-6');
    await waitFor(() =>
      expect(request.getByRole('button', { name: 'Approve' })).toBeEnabled(),
    );
    await user.click(request.getByRole('button', { name: 'Approve' }));
    expect(
      await request.findByText(
        /Could not record the decision: This request expired/,
      ),
    ).toBeInTheDocument();
  });

  it('says when nothing waits', async () => {
    await renderRestoreUi(<PendingApprovals />, { api: new FakeBackupsApi() });
    expect(
      await screen.findByText('No restore request waits for approval.'),
    ).toBeInTheDocument();
  });
});
