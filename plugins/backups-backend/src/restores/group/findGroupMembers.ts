import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { PolicyParseResult } from '@safekeep/plugin-backups-common';
import {
  PolicyContext,
  resolveEntityPolicy,
} from '../../policies/resolveEntityPolicy';

export interface GroupMember {
  entityRef: string;
  result: PolicyParseResult;
}

/**
 * The System's Resources that carry a backup policy, in restore order (by entity ref).
 * Members are found by the catalog's partOf relation and, for entities not processed into
 * relations yet, by spec.system.
 */
export async function findGroupMembers(
  catalog: CatalogService,
  system: Entity,
  credentials: BackstageCredentials,
  context: PolicyContext,
): Promise<GroupMember[]> {
  const systemRef = stringifyEntityRef(system);
  const namespace = system.metadata.namespace ?? 'default';
  const names = [
    systemRef,
    system.metadata.name,
    `${namespace}/${system.metadata.name}`,
    `system:${system.metadata.name}`,
  ];
  const { items } = await catalog.getEntities(
    {
      filter: [
        { kind: 'resource', 'relations.partof': systemRef },
        {
          kind: 'resource',
          'metadata.namespace': namespace,
          'spec.system': names,
        },
      ],
    },
    { credentials },
  );
  const members = new Map<string, GroupMember>();
  for (const entity of items) {
    const result = resolveEntityPolicy(entity, context);
    if (result.status === 'unconfigured') continue;
    members.set(stringifyEntityRef(entity), {
      entityRef: stringifyEntityRef(entity),
      result,
    });
  }
  return [...members.values()].sort((a, b) =>
    a.entityRef.localeCompare(b.entityRef),
  );
}
