/* eslint-disable */
// One backend replica for `npm run bench:replicas`: a real Backstage backend (backend-defaults:
// its database, scheduler with cross-replica task locks, http server) with the backups plugin.
// Only the catalog and notifications are stand-ins: the catalog serves the bench's entities
// from a JSON file, notifications are dropped. Config comes from SAFEKEEP_BENCH_REPLICA_CONFIG.
import fs from 'node:fs';
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { backupsPlugin } from '../../plugins/backups-backend/src/plugin';

const entities: Entity[] = JSON.parse(
  fs.readFileSync(process.env.SAFEKEEP_BENCH_ENTITIES!, 'utf8'),
);
const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));

const catalog = {
  async getEntities() {
    return { items: entities };
  },
  async getEntityByRef(
    ref: string | { kind: string; namespace?: string; name: string },
  ) {
    const key =
      typeof ref === 'string'
        ? ref
        : stringifyEntityRef({ namespace: 'default', ...ref } as any);
    return byRef.get(key);
  },
  async *streamEntities(request?: { pageSize?: number }) {
    const size = request?.pageSize ?? 500;
    for (let i = 0; i < entities.length; i += size)
      yield entities.slice(i, i + size);
  },
};

const backend = createBackend();
backend.add(
  createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => catalog as any,
  }),
);
backend.add(
  createServiceFactory({
    service: notificationService,
    deps: {},
    factory: () => ({ send: async () => undefined } as any),
  }),
);
backend.add(backupsPlugin);
backend.start().then(
  () => process.stderr.write(`replica ${process.pid}: started\n`),
  error => {
    process.stderr.write(`replica ${process.pid}: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
void coreServices;
