import type {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  CATALOG_FILTER_EXISTS,
  EntityFilterQuery,
} from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_AGENT,
  ANNOTATION_TARGET,
  BackupPolicy,
  PolicyParseResult,
} from '@safekeep/plugin-backups-common';
import { PolicyContext, resolveEntityPolicy } from './resolveEntityPolicy';

export interface ConfiguredPolicy {
  entityRef: string;
  policy: BackupPolicy;
}

export interface EntityPolicyResult {
  entity: Entity;
  entityRef: string;
  result: PolicyParseResult;
}

/**
 * Reads backup policies from the catalog on every call: nothing is cached here, so a
 * changed annotation counts from the next dispatch tick on, without a restart.
 */
export class CatalogPolicyReader {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly context: PolicyContext,
  ) {}

  /**
   * Every entity whose annotations name an agent or a target, parsed; with the plugin's own
   * credentials, or the given ones (then the catalog's read permissions apply).
   */
  async readAll(
    credentials?: BackstageCredentials,
  ): Promise<EntityPolicyResult[]> {
    return this.readWhere(
      // A list of filters is an OR: entities with either annotation.
      [
        { [`metadata.annotations.${ANNOTATION_AGENT}`]: CATALOG_FILTER_EXISTS },
        {
          [`metadata.annotations.${ANNOTATION_TARGET}`]: CATALOG_FILTER_EXISTS,
        },
      ],
      credentials ?? (await this.auth.getOwnServiceCredentials()),
    );
  }

  /** The entities a catalog filter selects, with their policies parsed. */
  async readWhere(
    filter: EntityFilterQuery,
    credentials: BackstageCredentials,
  ): Promise<EntityPolicyResult[]> {
    const results: EntityPolicyResult[] = [];
    const pages = this.catalog.streamEntities(
      { filter, pageSize: 500 },
      { credentials },
    );
    for await (const page of pages) {
      for (const entity of page) {
        results.push({
          entity,
          entityRef: stringifyEntityRef(entity),
          result: resolveEntityPolicy(entity, this.context),
        });
      }
    }
    return results;
  }

  async readConfigured(): Promise<ConfiguredPolicy[]> {
    const all = await this.readAll();
    return all.flatMap(({ entityRef, result }) =>
      result.status === 'configured'
        ? [{ entityRef, policy: result.policy }]
        : [],
    );
  }

  /** One entity's policy, read with the plugin's own credentials (background work). */
  async readOneAsPlugin(
    entityRef: string,
  ): Promise<EntityPolicyResult | undefined> {
    return this.readOne(entityRef, await this.auth.getOwnServiceCredentials());
  }

  /**
   * One entity's policy, read with the caller's credentials so the catalog's own read
   * permissions apply. Undefined when the entity does not exist (or is hidden from the caller).
   */
  async readOne(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityPolicyResult | undefined> {
    const entity = await this.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) return undefined;
    return {
      entity,
      entityRef: stringifyEntityRef(entity),
      result: resolveEntityPolicy(entity, this.context),
    };
  }
}
