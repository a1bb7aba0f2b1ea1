import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/** The full ref of a destination entity as given (`orders-db-staging` means a Resource in default). */
export function destinationEntityRef(given: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(given, {
        defaultKind: 'resource',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(
      `destination.entityRef "${given}" is not an entity ref: write it as kind:namespace/name, e.g. resource:default/orders-db-staging (${
        (error as Error).message
      })`,
    );
  }
}
