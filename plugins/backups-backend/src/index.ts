/**
 * Safekeep backend plugin (`backups`): scheduled and on-demand backups of catalog entities,
 * carried out by host agents, under /api/backups.
 *
 * @packageDocumentation
 */
export { backupsPlugin as default } from './plugin';
export type { BackupsStore } from './runs/BackupsStore';
