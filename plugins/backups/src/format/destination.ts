import type { RestoreDestination } from '@safekeep/plugin-backups-common';

/** Where a restore writes, for people: "in place", "into orders_copy", "into resource:…". */
export function destinationText(destination: RestoreDestination): string {
  if (destination.kind === 'entity') {
    const where =
      destination.target && destination.agent
        ? ` (target ${destination.target} on agent ${destination.agent})`
        : '';
    return `into ${destination.entityRef}${where}`;
  }
  if (destination.kind === 'other') return `into ${destination.path}`;
  return 'in place';
}
