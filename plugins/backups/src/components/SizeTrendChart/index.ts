export { SizeTrendCard } from './SizeTrendCard';
export { SizeTrendChart, TREND_WINDOWS } from './SizeTrendChart';
export type { TrendWindow } from './SizeTrendChart';
