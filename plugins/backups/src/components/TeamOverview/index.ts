export { TeamOverviewPanel } from './TeamOverviewPanel';
export { TeamHeadline } from './TeamHeadline';
export { entityDisplayName } from './TeamEntitiesTable';
