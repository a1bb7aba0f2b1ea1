export { RunStatus, runStatusLabel } from './RunStatus';
