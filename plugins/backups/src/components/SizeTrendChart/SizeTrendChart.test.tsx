import { useState } from 'react';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/test-utils';
import type { SizeSeries } from '@safekeep/plugin-backups-common';
import { giveChartsASize } from '../../__testUtils__/chartLayout';
import { SizeTrendChart, TrendWindow } from './SizeTrendChart';

const now = new Date('2026-11-30T12:00:00Z');
const MiB = 1024 ** 2;

/**
 * A daily backup growing by 1 MiB a day for `days` days, ending yesterday, oldest first; each
 * adds `bytesNew` (chunked) or, when absent (an older agent), counts its stored bytes.
 */
function dailySeries(
  days: number,
  growth: number | null,
  bytesNew?: number,
): SizeSeries {
  return {
    entityRef: 'resource:default/orders-db',
    days,
    points: Array.from({ length: days }, (_, i) => ({
      at: new Date(now.getTime() - (days - i) * 86_400_000).toISOString(),
      bytesStored: (1000 - (days - 1 - i)) * MiB,
      bytesRaw: 3000 * MiB,
      ...(bytesNew === undefined ? {} : { bytesNew }),
    })),
    growthBytesPer30Days: growth,
  };
}

/** The chart with its window in state, as SizeTrendCard holds it. */
function Harness(props: { seriesFor(days: TrendWindow): SizeSeries }) {
  const [windowDays, setWindowDays] = useState<TrendWindow>(30);
  return (
    <SizeTrendChart
      series={props.seriesFor(windowDays)}
      windowDays={windowDays}
      onWindowChange={setWindowDays}
      now={now}
    />
  );
}

describe('SizeTrendChart', () => {
  giveChartsASize();

  it("draws the size of a restore and the new bytes stored of each successful backup, and states the backend's monthly growth", async () => {
    const { container } = await renderInTestApp(
      <Harness seriesFor={() => dailySeries(30, 30 * MiB, 12 * MiB)} />,
    );

    expect(
      screen.getByText(/Growth: \+30\.0 MiB per month/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /latest: 2\.9\d? GiB to restore, 12\.0 MiB new stored · 30 backups/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', {
        name: /Size of a restore and new bytes stored of 30 successful backups over the last 30 days/,
      }),
    ).toBeInTheDocument();
    expect(
      container.querySelectorAll('.recharts-line path.recharts-line-curve'),
    ).toHaveLength(2);
    expect(screen.getByText('Size of a restore')).toBeInTheDocument();
    expect(screen.getByText('New bytes stored')).toBeInTheDocument();
    expect(container.querySelectorAll('.recharts-line-dot')).toHaveLength(60);
  });

  it('asks for a longer window when one is chosen', async () => {
    const asked: number[] = [];
    await renderInTestApp(
      <Harness
        seriesFor={days => {
          asked.push(days);
          return dailySeries(days === 30 ? 30 : 60, MiB);
        }}
      />,
    );

    await userEvent.click(screen.getByRole('button', { name: 'Last 90 days' }));

    expect(
      screen.getByRole('button', { name: 'Last 90 days' }),
    ).toHaveAttribute('aria-pressed', 'true');
    expect(asked).toContain(90);
    // No bytesNew (runs of an older agent): the stored bytes count as new.
    expect(
      screen.getByText(/1000 MiB new stored · 60 backups/),
    ).toBeInTheDocument();
  });

  it('says when there is nothing to draw', async () => {
    await renderInTestApp(
      <Harness
        seriesFor={() => ({
          entityRef: 'resource:default/orders-db',
          days: 30,
          points: [],
          growthBytesPer30Days: null,
        })}
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
