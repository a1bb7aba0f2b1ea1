import { screen } from '@testing-library/react';
import { FakeBackupsApi } from '../../__testUtils__/FakeBackupsApi';
import {
  bareEntity,
  configuredEntity,
  makeRun,
  makeSummary,
} from '../../__testUtils__/fixtures';
import { renderWithEntity } from '../../__testUtils__/renderWithEntity';
import { responseError } from '../../__testUtils__/responseError';
import { EntityBackupStatusCard } from './EntityBackupStatusCard';

describe('EntityBackupStatusCard', () => {
  it('shows health, last success and latest size, and links to the Backups tab', async () => {
    const lastSuccess = makeRun({
      finishedAt: new Date(Date.now() - 5 * 3_600_000).toISOString(),
    });
    const api = new FakeBackupsApi({
      summaries: [makeSummary({ lastSuccess, lastRun: lastSuccess })],
    });
    await renderWithEntity(<EntityBackupStatusCard />, {
      entity: configuredEntity,
      api,
    });

    expect(await screen.findByText('OK')).toBeInTheDocument();
    expect(screen.getByText('5 hours ago')).toBeInTheDocument();
    expect(screen.getByText('1.5 GiB')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /View backups/ })).toHaveAttribute(
      'href',
      '/catalog/default/resource/orders-db/backups',
    );
  });

  it('shows a failing health with its reason', async () => {
    const failed = makeRun({ status: 'failed', error: 'exit 1' });
    const api = new FakeBackupsApi({
      summaries: [
        makeSummary({
          health: 'failing',
          healthReason: 'The last 2 runs failed.',
          lastRun: failed,
          lastSuccess: null,
        }),
      ],
    });
    await renderWithEntity(<EntityBackupStatusCard />, {
      entity: configuredEntity,
      api,
    });

    expect(await screen.findByText('Failing')).toHaveAttribute(
      'data-health',
      'failing',
    );
    expect(screen.getByText('The last 2 runs failed.')).toBeInTheDocument();
    expect(screen.getByText('never')).toBeInTheDocument();
  });

  it('shows the phase of a running backup', async () => {
    const running = makeRun({ status: 'running', phase: 'uploading' });
    const api = new FakeBackupsApi({
      summaries: [makeSummary({ runningRun: running })],
    });
    await renderWithEntity(<EntityBackupStatusCard />, {
      entity: configuredEntity,
      api,
    });

    expect(await screen.findByRole('status')).toHaveTextContent(
      'Backup running, phase: uploading',
    );
  });

  it('says the entity is not set up, and links to the instructions, without asking the backend', async () => {
    const api = new FakeBackupsApi();
    await renderWithEntity(<EntityBackupStatusCard tabPath="protection" />, {
      entity: bareEntity,
      api,
    });

    expect(screen.getByText('Not configured')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Set up backups/ }),
    ).toHaveAttribute('href', '/catalog/default/resource/cache/protection');
    expect(api.calls.getSummary).toHaveLength(0);
  });

  it('shows an error the backend gives', async () => {
    const api = new FakeBackupsApi();
    api.summaryError = await responseError(
      500,
      'Internal Server Error',
      'database is down',
    );
    await renderWithEntity(<EntityBackupStatusCard />, {
      entity: configuredEntity,
      api,
    });

    expect(
      await screen.findByText(/Could not read the backup status/),
    ).toBeInTheDocument();
  });
});
