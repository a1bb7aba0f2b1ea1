export { BackupHealthCard } from './BackupHealthCard';
