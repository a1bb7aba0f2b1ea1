import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_CONSISTENCY_GROUP,
  BackupHealth,
} from '@safekeep/plugin-backups-common';

/** The consistency group a System declares with `safekeep.io/consistency-group`, if any. */
export function consistencyGroupOf(entity: Entity): string | undefined {
  if (entity.kind.toLowerCase() !== 'system') return undefined;
  const name =
    entity.metadata.annotations?.[ANNOTATION_CONSISTENCY_GROUP]?.trim();
  return name ? name : undefined;
}

/** Health from worst to best: what needs attention first. */
export const HEALTH_SEVERITY: BackupHealth[] = [
  'failing',
  'stale',
  'late',
  'never',
  'invalid',
  'unconfigured',
  'ok',
];

export function byWorstHealth<
  T extends { health: BackupHealth; entityRef: string },
>(a: T, b: T): number {
  return (
    HEALTH_SEVERITY.indexOf(a.health) - HEALTH_SEVERITY.indexOf(b.health) ||
    a.entityRef.localeCompare(b.entityRef)
  );
}
