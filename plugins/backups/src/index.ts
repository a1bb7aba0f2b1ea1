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
export type { BackupsApi, RunsPageRequest } from './api';
