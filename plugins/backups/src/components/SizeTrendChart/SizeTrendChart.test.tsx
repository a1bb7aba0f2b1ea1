import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/test-utils';
import { giveChartsASize } from '../../__testUtils__/chartLayout';
import { makeRun } from '../../__testUtils__/fixtures';
import { SizeTrendChart } from './SizeTrendChart';

const now = new Date('2026-11-30T12:00:00Z');
const MiB = 1024 ** 2;

/** A daily backup growing by 1 MiB a day for `days` days, ending yesterday. */
function dailyRuns(days: number) {
  return Array.from({ length: days }, (_, i) =>
    makeRun({
      id: `run-${i}`,
      finishedAt: new Date(now.getTime() - (i + 1) * 86_400_000).toISOString(),
      bytesStored: (1000 - i) * MiB,
    }),
  );
}

describe('SizeTrendChart', () => {
  giveChartsASize();

  it('draws the stored size of each successful backup and states the monthly growth', async () => {
    const { container } = await renderInTestApp(
      <SizeTrendChart runs={dailyRuns(60)} now={now} />,
    );

    expect(
      screen.getByText(/Growth: \+30\.0 MiB per month/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/latest 1000 MiB · 30 backups/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: /Stored size of 30 successful backups over the last 30 days/,
      }),
    ).toBeInTheDocument();
    expect(
      container.querySelector('.recharts-line path.recharts-line-curve'),
    ).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-line-dot')).toHaveLength(30);
  });

  it('widens the window when a longer period is chosen', async () => {
    await renderInTestApp(<SizeTrendChart runs={dailyRuns(60)} now={now} />);

    await userEvent.click(screen.getByRole('button', { name: 'Last 90 days' }));

    expect(
      screen.getByRole('button', { name: 'Last 90 days' }),
    ).toHaveAttribute('aria-pressed', 'true');
    expect(
      screen.getByText(/latest 1000 MiB · 60 backups/),
    ).toBeInTheDocument();
  });

  it('says when there is nothing to draw', async () => {
    await renderInTestApp(
      <SizeTrendChart
        runs={[makeRun({ status: 'failed', bytesStored: null })]}
        now={now}
      />,
    );
    expect(
      screen.getByText('No successful backup in the last 30 days.'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Growth: needs two successful backups in this window.'),
    ).toBeInTheDocument();
  });
});
