export { backupsPlugin } from './plugin';
export { backupsApi } from './apis';
export { entityBackupsContent } from './entityContent';
export { entityBackupStatusCard } from './entityCard';
export { showsBackupsTab } from './filters';
export { entityTeamBackupsCard } from './teamCard';
export { backupsTeamPage } from './teamPage';
