export { backupsApiRef } from './BackupsApi';
export type {
  BackupsApi,
  RestoreListRequest,
  RunsPageRequest,
} from './BackupsApi';
export { BackupsClient } from './BackupsClient';
export { errorMessage, isRunConflict } from './errorMessage';
