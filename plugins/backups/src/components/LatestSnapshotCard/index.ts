export { LatestSnapshotCard } from './LatestSnapshotCard';
