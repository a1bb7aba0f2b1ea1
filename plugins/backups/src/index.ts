/**
 * Safekeep's frontend plugin: backup health, latest snapshot, "Back up now", size trend and
 * run history of catalog entities.
 *
 * @packageDocumentation
 */
export {
  backupsPlugin,
  EntityBackupsContent,
  EntityBackupStatusCard,
} from './plugin';
export { isBackupsAvailable } from './conditions';
export { backupsApiRef, BackupsClient } from './api';
export type { BackupsApi, RunsPageRequest } from './api';
