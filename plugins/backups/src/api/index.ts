export { backupsApiRef } from './BackupsApi';
export type { BackupsApi, RunsPageRequest } from './BackupsApi';
export { BackupsClient } from './BackupsClient';
export { errorMessage, isRunConflict } from './errorMessage';
