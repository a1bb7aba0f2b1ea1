import type { Entity } from '@backstage/catalog-model';
import type { CatalogApi } from '@backstage/plugin-catalog-react';

/**
 * A catalog that answers getEntities with the given entities, filtered by kind: all the team
 * picker asks. (catalog-react's catalogApiMock needs @backstage/frontend-test-utils, which this
 * repo does not install.) `failing` makes every read fail.
 */
export function groupCatalog(entities: Entity[], failing?: Error): CatalogApi {
  return {
    async getEntities(request?: { filter?: { kind?: string } }) {
      if (failing) throw failing;
      const kind = request?.filter?.kind?.toLocaleLowerCase('en-US');
      return {
        items: entities.filter(
          e => !kind || e.kind.toLocaleLowerCase('en-US') === kind,
        ),
      };
    },
  } as Partial<CatalogApi> as CatalogApi;
}
