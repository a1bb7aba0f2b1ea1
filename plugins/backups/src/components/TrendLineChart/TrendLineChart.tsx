import { useTheme } from '@material-ui/core/styles';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  LineProps,
  ResponsiveContainer,
  Tooltip,
  TooltipProps,
  XAxis,
  XAxisProps,
  YAxis,
  YAxisProps,
} from 'recharts';

/**
 * One line over time, drawn the same way by every trend on the Backups pages: a dashed grid, axes
 * and tooltip in the theme's colours (readable in light and dark themes). Each chart passes only
 * what is its own: the data, the axes' scales and labels, the tooltip's text and the line.
 */
export function TrendLineChart<Point extends object>(props: {
  data: Point[];
  height: number;
  /** The width drawn before the container is measured (first render, tests without layout). */
  initialWidth: number;
  /** Room left of the y axis; 0 where the tick labels are short. */
  marginLeft: number;
  xAxis: XAxisProps;
  yAxis: YAxisProps;
  tooltip: TooltipProps<number, string>;
  line: Omit<LineProps, 'ref'>;
  /** Further lines over the same axes (with a legend naming each), e.g. two sizes per run. */
  moreLines?: Array<Omit<LineProps, 'ref'>>;
}) {
  const theme = useTheme();
  const axisColor = theme.palette.text.secondary;

  return (
    <ResponsiveContainer
      width="100%"
      height={props.height}
      initialDimension={{ width: props.initialWidth, height: props.height }}
    >
      <LineChart
        data={props.data}
        margin={{ top: 8, right: 16, bottom: 8, left: props.marginLeft }}
      >
        <CartesianGrid stroke={theme.palette.divider} strokeDasharray="3 3" />
        <XAxis {...props.xAxis} stroke={axisColor} tick={{ fill: axisColor }} />
        <YAxis {...props.yAxis} stroke={axisColor} tick={{ fill: axisColor }} />
        <Tooltip
          {...props.tooltip}
          contentStyle={{
            backgroundColor: theme.palette.background.paper,
            borderColor: theme.palette.divider,
            color: theme.palette.text.primary,
          }}
        />
        {/* Not animated: the whole line is there on first paint, in tests and screenshots too. */}
        <Line {...props.line} isAnimationActive={false} />
        {props.moreLines?.map(line => (
          <Line
            key={String(line.dataKey)}
            {...line}
            isAnimationActive={false}
          />
        ))}
        {props.moreLines?.length ? (
          <Legend wrapperStyle={{ color: axisColor }} />
        ) : null}
      </LineChart>
    </ResponsiveContainer>
  );
}
