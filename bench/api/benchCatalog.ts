import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';

type Filter = Record<string, string | symbol | (string | symbol)[]>;

/**
 * An in-memory stand-in for the catalog with the indexes the real catalog's search table has
 * (entity ref, owner, relations), so that the benchmark measures the plugin rather than a linear
 * scan over 10,000 entities. Only the calls the plugin makes are implemented.
 */
export class BenchCatalog {
  private readonly byRef = new Map<string, Entity>();
  private readonly byRelation = new Map<string, Entity[]>();

  constructor(private readonly entities: Entity[]) {
    for (const entity of entities) {
      this.byRef.set(stringifyEntityRef(entity).toLowerCase(), entity);
      for (const relation of entity.relations ?? []) {
        const key = `relations.${relation.type.toLowerCase()}=${relation.targetRef.toLowerCase()}`;
        this.byRelation.set(key, [...(this.byRelation.get(key) ?? []), entity]);
      }
    }
  }

  async getEntityByRef(ref: string): Promise<Entity | undefined> {
    return this.byRef.get(ref.toLowerCase());
  }

  private candidates(filter: Filter): Entity[] {
    for (const [key, value] of Object.entries(filter)) {
      if (
        key.toLowerCase().startsWith('relations.') &&
        typeof value === 'string'
      ) {
        return (
          this.byRelation.get(`${key.toLowerCase()}=${value.toLowerCase()}`) ??
          []
        );
      }
    }
    return this.entities;
  }

  private matches(entity: Entity, filter: Filter): boolean {
    return Object.entries(filter).every(([key, value]) => {
      const lower = key.toLowerCase();
      if (lower === 'kind')
        return (
          typeof value === 'string' &&
          entity.kind.toLowerCase() === value.toLowerCase()
        );
      if (lower.startsWith('relations.')) {
        const type = lower.slice('relations.'.length);
        return (entity.relations ?? []).some(
          r =>
            r.type.toLowerCase() === type &&
            r.targetRef.toLowerCase() === String(value).toLowerCase(),
        );
      }
      if (lower.startsWith('metadata.annotations.')) {
        return (
          entity.metadata.annotations?.[
            key.slice('metadata.annotations.'.length)
          ] !== undefined
        );
      }
      throw new Error(`bench catalog: filter on ${key} is not implemented`);
    });
  }

  async *streamEntities(request: {
    filter?: Filter | Filter[];
    pageSize?: number;
  }): AsyncIterable<Entity[]> {
    const filters = request.filter ? [request.filter].flat() : [{}];
    const found = new Set<Entity>();
    for (const filter of filters) {
      for (const entity of this.candidates(filter))
        if (this.matches(entity, filter)) found.add(entity);
    }
    const all = [...found];
    const size = request.pageSize ?? 500;
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  }
}

export const TEAM_SIZE = 100;
export const UNPROTECTED_PER_TEAM = 10;

export const entityName = (i: number) => `db-${String(i).padStart(5, '0')}`;
export const teamOf = (i: number) =>
  `group:default/team-${String(Math.floor(i / TEAM_SIZE)).padStart(3, '0')}`;
export const agentOf = (i: number) => `agent-${i % 20}`;

/** `count` Resources with a daily policy, teams of 100, and 10 unprotected data Resources per team. */
export function benchEntities(count: number): Entity[] {
  const entities: Entity[] = [];
  for (let i = 0; i < count; i++) {
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: entityName(i),
        namespace: 'default',
        annotations: {
          'safekeep.io/agent': agentOf(i),
          'safekeep.io/target': entityName(i),
          'safekeep.io/engine': 'postgres',
          'safekeep.io/schedule': 'daily 01:00',
          'safekeep.io/rpo': '26h',
          'safekeep.io/retention': 'keep-last=7 keep-daily=14 min=3',
        },
      },
      spec: { type: 'database', owner: teamOf(i) },
      relations: [{ type: 'ownedBy', targetRef: teamOf(i) }],
    });
  }
  for (let team = 0; team * TEAM_SIZE < count; team++) {
    const owner = teamOf(team * TEAM_SIZE);
    for (let j = 0; j < UNPROTECTED_PER_TEAM; j++) {
      entities.push({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Resource',
        metadata: { name: `bucket-${team}-${j}`, namespace: 'default' },
        spec: { type: 'bucket', owner },
        relations: [{ type: 'ownedBy', targetRef: owner }],
      });
    }
  }
  return entities;
}
