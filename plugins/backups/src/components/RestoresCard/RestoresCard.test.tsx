import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import { renderRestoreUi } from '../../__testUtils__/renderRestoreUi';
import { makeRestore, makeSnapshot } from '../../__testUtils__/restoreFixtures';
import { RestoresCard } from './RestoresCard';

jest.setTimeout(30_000);

const user = userEvent.setup({ delay: null });
const entityRef = { kind: 'Resource', namespace: 'default', name: 'orders-db' };

describe('RestoresCard', () => {
  it('shows a new request at once among the pending ones and in the history', async () => {
    const api = new FakeBackupsApi();
    api.snapshots = [makeSnapshot('20261120T010000Z')];
    api.restores = [
      makeRestore({
        id: 'old',
        status: 'succeeded',
        reason: 'last week',
        durationMs: 5000,
        check: { ok: true, differences: [], details: {} },
      }),
    ];
    api.requestRestoreImpl = async () =>
      makeRestore({
        id: 'new',
        reason: 'today',
        requestedBy: 'user:default/ann',
      });
    await renderRestoreUi(<RestoresCard entityRef={entityRef} />, {
      api,
      user: 'user:default/ann',
    });

    expect(
      await screen.findByText('No restore request waits for approval.'),
    ).toBeInTheDocument();
    expect(await screen.findByText('“last week”')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Request restore' }));
    const dialog = within(await screen.findByRole('dialog'));
    await user.type(dialog.getByRole('textbox', { name: /Reason/ }), 'today');
    await user.click(dialog.getByRole('button', { name: 'Request restore' }));
    await dialog.findByText(/Request recorded/);
    await user.click(dialog.getByRole('button', { name: 'Close' }));

    const pending = within(
      await screen.findByRole('article', { name: 'Restore request new' }),
    );
    expect(
      pending.getByText(
        'You asked for this restore, so someone else must approve it.',
      ),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByText('“today”')).toBeInTheDocument(),
    );
    expect(api.calls.listRestores).toContainEqual({
      status: 'pending',
      entity: entityRef,
    });
  });
});
