export { TrendLineChart } from './TrendLineChart';
