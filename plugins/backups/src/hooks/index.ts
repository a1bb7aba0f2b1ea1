export { useBackupSummary, POLL_INTERVAL_MS } from './useBackupSummary';
export type { BackupSummaryState } from './useBackupSummary';
export { useSizeSeries } from './useSizeSeries';
export { useTeamOverview } from './useTeamOverview';
