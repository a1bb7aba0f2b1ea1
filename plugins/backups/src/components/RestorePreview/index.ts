export { RestorePreviewPanel } from './RestorePreviewPanel';
