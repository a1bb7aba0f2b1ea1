export { RestoreHistoryTable } from './RestoreHistoryTable';
export { RestoreStatusText, restoreStatusLabel } from './restoreStatus';
