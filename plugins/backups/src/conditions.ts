import type { Entity } from '@backstage/catalog-model';
import { hasBackupAnnotations } from '@safekeep/plugin-backups-common';

/** True when the entity carries Safekeep annotations: use it to show the tab and the card. */
export function isBackupsAvailable(entity: Entity): boolean {
  return hasBackupAnnotations(entity);
}
