import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { SizeSeries } from '@safekeep/plugin-backups-common';
import type { RunAggregates } from '../aggregates/RunAggregates';
import type { CatalogPolicyReader } from '../policies/CatalogPolicyReader';
import { growthPer30Days } from './growthPer30Days';

/** An entity's backup sizes over a window (GET .../sizes?days=): one indexed range query. */
export class SizesService {
  constructor(
    private readonly options: {
      policies: Pick<CatalogPolicyReader, 'readOne'>;
      aggregates: Pick<RunAggregates, 'getSizePoints'>;
      now?: () => Date;
    },
  ) {}

  async getSizes(
    entityRef: string,
    days: number,
    credentials: BackstageCredentials,
  ): Promise<SizeSeries> {
    const found = await this.options.policies.readOne(entityRef, credentials);
    if (!found)
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    const now = this.options.now?.() ?? new Date();
    const points = await this.options.aggregates.getSizePoints(
      found.entityRef,
      new Date(now.getTime() - days * 86_400_000),
    );
    return {
      entityRef: found.entityRef,
      days,
      points,
      growthBytesPer30Days: growthPer30Days(points),
    };
  }
}
