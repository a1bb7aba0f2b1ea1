export { BackupsTeamPage, ownerFromQuery } from './BackupsTeamPage';
