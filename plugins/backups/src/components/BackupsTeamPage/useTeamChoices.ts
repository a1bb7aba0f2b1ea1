import useAsync from 'react-use/esm/useAsync';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';

export interface TeamChoice {
  entityRef: string;
  title: string;
  /** The signed-in user belongs to (owns through) this group. */
  mine: boolean;
}

function isGroupRef(ref: string): boolean {
  try {
    return parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'group';
  } catch {
    return false;
  }
}

function groupTitle(group: Entity): string {
  const profile = group.spec?.profile as { displayName?: string } | undefined;
  return group.metadata.title ?? profile?.displayName ?? group.metadata.name;
}

function fallbackTitle(ref: string): string {
  const { namespace, name } = parseEntityRef(ref);
  return namespace === 'default' ? name : `${namespace}/${name}`;
}

/**
 * The teams the page can show: the signed-in user's groups first (from identityApi's
 * ownershipEntityRefs), then every other group in the catalog. A catalog that cannot be read
 * still leaves the user's own groups.
 */
export function useTeamChoices() {
  const identityApi = useApi(identityApiRef);
  const catalogApi = useApi(catalogApiRef);
  return useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    const mine = identity.ownershipEntityRefs.filter(isGroupRef);
    let catalogGroups: Entity[] = [];
    try {
      const response = await catalogApi.getEntities({
        filter: { kind: 'Group' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.profile.displayName',
        ],
      });
      catalogGroups = response.items;
    } catch {
      // The picker still offers the user's own groups.
    }
    const titles = new Map(
      catalogGroups.map(group => [
        stringifyEntityRef(group),
        groupTitle(group),
      ]),
    );
    const choices: TeamChoice[] = [
      ...mine.map(ref => ({
        entityRef: ref,
        title: titles.get(ref) ?? fallbackTitle(ref),
        mine: true,
      })),
      ...[...titles.entries()]
        .filter(([ref]) => !mine.includes(ref))
        .map(([ref, title]) => ({ entityRef: ref, title, mine: false }))
        .sort((a, b) => a.title.localeCompare(b.title)),
    ];
    return { mine, choices };
  }, [identityApi, catalogApi]);
}
