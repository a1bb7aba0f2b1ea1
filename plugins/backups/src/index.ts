/**
 * Safekeep's frontend plugin: backup health, latest snapshot, "Back up now", size trend and
 * run history of catalog entities, and a team health page.
 *
 * @packageDocumentation
 */
export {
  backupsPlugin,
  BackupsTeamPage,
  EntityBackupsContent,
  EntityBackupStatusCard,
  EntityTeamBackupsCard,
} from './plugin';
export { isBackupsAvailable } from './conditions';
export { backupsApiRef, BackupsClient } from './api';
export type { BackupsApi, RestoreListRequest, RunsPageRequest } from './api';
export { PendingApprovals } from './components/PendingApprovals';
export { RequestRestoreButton } from './components/RestoreDialog';
export { RestoreHistoryTable } from './components/RestoreHistoryTable';
export { RestoresCard } from './components/RestoresCard';
