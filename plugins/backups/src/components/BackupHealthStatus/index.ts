export { BackupHealthStatus } from './BackupHealthStatus';
export { HEALTH_PRESENTATION } from './healthPresentation';
export type { HealthTone } from './healthPresentation';
