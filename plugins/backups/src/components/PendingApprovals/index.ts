export { PendingApprovals } from './PendingApprovals';
export { RestoreDecisionCard } from './RestoreDecisionCard';
