import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import type {} from '@backstage/theme';
import type { TeamOverview } from '@safekeep/plugin-backups-common';
import {
  describeSuccessTrend,
  SuccessRatePoint,
  successRatePoints,
} from './successTrend';
import { TrendLineChart } from '../TrendLineChart';

const CHART_HEIGHT = 220;

function formatDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en', {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

/** The team's daily backup success rate over the overview's window (30 days). */
export function SuccessRateTrendChart(props: {
  trend: TeamOverview['successTrend'];
}) {
  const theme = useTheme();
  const points = successRatePoints(props.trend);
  const description = describeSuccessTrend(points);

  if (points.every(p => p.percent === null)) {
    return (
      <Typography variant="body2" color="textSecondary">
        {description}
      </Typography>
    );
  }
  return (
    <>
      <Typography variant="body2" gutterBottom>
        {description}
      </Typography>
      <div
        role="img"
        aria-label={`Daily backup success rate over the last ${points.length} days. ${description}`}
      >
        <TrendLineChart
          data={points}
          height={CHART_HEIGHT}
          initialWidth={500}
          marginLeft={0}
          xAxis={{ dataKey: 'day', tickFormatter: formatDay, minTickGap: 16 }}
          yAxis={{
            domain: [0, 100],
            ticks: [0, 25, 50, 75, 100],
            tickFormatter: (percent: number) => `${percent}%`,
            width: 48,
          }}
          tooltip={{
            labelFormatter: (day: string) => formatDay(day),
            formatter: (
              _percent: number,
              _name: string,
              item: { payload?: SuccessRatePoint },
            ) => {
              const point = item.payload!;
              return [
                `${point.succeeded} of ${
                  point.succeeded + point.failed
                } succeeded`,
                'Runs',
              ];
            },
          }}
          line={{
            type: 'linear',
            dataKey: 'percent',
            name: 'Success rate',
            stroke: theme.palette.status.ok,
            strokeWidth: 2,
            dot: { r: 2 },
            connectNulls: false,
          }}
        />
      </div>
    </>
  );
}
