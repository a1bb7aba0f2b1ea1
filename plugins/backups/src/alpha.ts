/**
 * Safekeep's frontend plugin for Backstage's new frontend system.
 *
 * @packageDocumentation
 */
import { backupsPlugin } from './alpha/index';

export {
  backupsApi,
  entityBackupsContent,
  entityBackupStatusCard,
  entityTeamBackupsCard,
  backupsTeamPage,
  showsBackupsTab,
} from './alpha/index';

/** @alpha */
export default backupsPlugin;
