export { EntityTeamBackupsCard } from './EntityTeamBackupsCard';
