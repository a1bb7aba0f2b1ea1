import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { makePreview } from '../../__testUtils__/restoreFixtures';
import { RestorePreviewPanel } from './RestorePreviewPanel';

describe('RestorePreviewPanel expected downtime', () => {
  it('says none is expected when past backups stopped nothing, not "about 0 ms"', async () => {
    await renderInTestApp(
      <RestorePreviewPanel
        preview={makePreview({ expectedDowntimeMs: 0, containersToStop: [] })}
      />,
    );
    expect(
      screen.getByText('None expected: past backups stopped nothing'),
    ).toBeInTheDocument();
    expect(screen.queryByText(/About 0/)).not.toBeInTheDocument();
  });

  it('says it is unknown before any backup recorded a downtime', async () => {
    await renderInTestApp(
      <RestorePreviewPanel
        preview={makePreview({ expectedDowntimeMs: null })}
      />,
    );
    expect(
      screen.getByText(
        'Unknown: no past backup of this target recorded a downtime',
      ),
    ).toBeInTheDocument();
  });
});
