export { SizeTrendCard } from './SizeTrendCard';
export { SizeTrendChart, TREND_WINDOWS } from './SizeTrendChart';
export type { TrendWindow } from './SizeTrendChart';
export { monthlyGrowth, sizePoints } from './sizeTrend';
export type { SizePoint } from './sizeTrend';
