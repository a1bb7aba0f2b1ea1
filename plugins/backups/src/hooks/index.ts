export { useBackupSummary, POLL_INTERVAL_MS } from './useBackupSummary';
export type { BackupSummaryState } from './useBackupSummary';
export { useTrendRuns, TREND_RUN_LIMIT } from './useTrendRuns';
