import type { Entity } from '@backstage/catalog-model';
import { isBackupsAvailable } from '../conditions';

/**
 * The tab shows on entities with Safekeep annotations, and on every Resource: resources
 * are where databases live, and an unconfigured one gets the annotations to add.
 */
export function showsBackupsTab(entity: Entity): boolean {
  return (
    isBackupsAvailable(entity) ||
    entity.kind.toLocaleLowerCase('en-US') === 'resource'
  );
}
