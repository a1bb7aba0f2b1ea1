import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import type { SizeSeries } from '@safekeep/plugin-backups-common';
import { formatBytes } from '../../format/bytes';
import { formatAbsoluteTime } from '../../format/time';
import { TrendLineChart } from '../TrendLineChart';

export const TREND_WINDOWS = [30, 90, 365] as const;
export type TrendWindow = (typeof TREND_WINDOWS)[number];

const DAY_MS = 86_400_000;
const CHART_HEIGHT = 260;

function formatDay(time: number): string {
  return new Date(time).toLocaleDateString('en', {
    month: 'short',
    day: 'numeric',
  });
}

function formatGrowth(bytesPerMonth: number): string {
  return `${bytesPerMonth >= 0 ? '+' : ''}${formatBytes(
    bytesPerMonth,
  )} per month`;
}

/**
 * Two sizes of each successful backup over 30, 90 or 365 days: the size of a restore (the raw
 * streams) and the new bytes the backup stored (with chunked snapshots, only the chunks its tier
 * did not hold; runs of older agents count their stored bytes, all new). The growth is the
 * backend's (least squares of stored bytes per 30 days). The window is chosen by the caller.
 */
export function SizeTrendChart(props: {
  series: SizeSeries;
  windowDays: TrendWindow;
  onWindowChange(days: TrendWindow): void;
  now?: Date;
}) {
  const theme = useTheme();
  const { series } = props;
  const now = props.now ?? new Date();
  const points = series.points.map(point => ({
    time: new Date(point.at).getTime(),
    restore: point.bytesRaw,
    added: point.bytesNew ?? point.bytesStored,
  }));
  const growth = series.growthBytesPer30Days;
  const latest = points[points.length - 1];

  return (
    <>
      <Box
        display="flex"
        alignItems="center"
        justifyContent="space-between"
        flexWrap="wrap"
        mb={1}
      >
        <Typography variant="body2" aria-live="polite">
          {growth === null
            ? 'Growth: needs two successful backups in this window.'
            : `Growth: ${formatGrowth(growth)}`}
          {latest &&
            ` · latest: ${formatBytes(
              latest.restore,
            )} to restore, ${formatBytes(latest.added)} new stored · ${
              points.length
            } backups`}
        </Typography>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={props.windowDays}
          onChange={(_event, value: TrendWindow | null) =>
            value && props.onWindowChange(value)
          }
          aria-label="Time window of the size trend"
        >
          {TREND_WINDOWS.map(days => (
            <ToggleButton
              key={days}
              value={days}
              aria-label={`Last ${days} days`}
            >
              {days} days
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Box>
      {points.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No successful backup in the last {series.days} days.
        </Typography>
      ) : (
        <div
          role="img"
          aria-label={`Size of a restore and new bytes stored of ${
            points.length
          } successful backups over the last ${
            series.days
          } days, latest ${formatBytes(latest.restore)} and ${formatBytes(
            latest.added,
          )}`}
          data-testid="size-trend-chart"
        >
          <TrendLineChart
            data={points}
            height={CHART_HEIGHT}
            initialWidth={600}
            marginLeft={8}
            xAxis={{
              dataKey: 'time',
              type: 'number',
              scale: 'time',
              domain: [now.getTime() - series.days * DAY_MS, now.getTime()],
              tickFormatter: formatDay,
            }}
            yAxis={{
              tickFormatter: (bytes: number) => formatBytes(bytes),
              width: 80,
            }}
            tooltip={{
              labelFormatter: (time: number) =>
                formatAbsoluteTime(new Date(time).toISOString()),
              formatter: (bytes: number, name: string) => [
                formatBytes(bytes),
                name,
              ],
            }}
            line={{
              type: 'monotone',
              dataKey: 'restore',
              name: 'Size of a restore',
              stroke: theme.palette.primary.main,
              dot: points.length <= 60,
            }}
            moreLines={[
              {
                type: 'monotone',
                dataKey: 'added',
                name: 'New bytes stored',
                stroke: theme.palette.secondary.main,
                strokeDasharray: '5 3',
                dot: points.length <= 60,
              },
            ]}
          />
        </div>
      )}
    </>
  );
}
