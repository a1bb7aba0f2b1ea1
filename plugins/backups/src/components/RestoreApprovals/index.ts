export { RestoreApprovalsContent } from './RestoreApprovalsContent';
