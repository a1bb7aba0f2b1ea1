export { RequestRestoreButton } from './RequestRestoreButton';
export { RestoreDialog } from './RestoreDialog';
