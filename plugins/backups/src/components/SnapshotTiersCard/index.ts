export { SnapshotTiersCard } from './SnapshotTiersCard';
export { retentionInWords, tierViews } from './tiers';
export type { TierView } from './tiers';
