#!/usr/bin/env node
// `npm run bench:api`: the backups plugin's HTTP API under a year of runs for 10,000 entities,
// in SQLite and PostgreSQL. The plugin is TypeScript: Backstage's own Node transform (the one
// `backstage-cli package start` uses) compiles it on the fly. See docs/performance.md.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('@backstage/cli/config/nodeTransform.cjs');
const { main } = require('./api/runApiBench.ts');

main().catch(error => {
  console.error(error);
  process.exit(1);
});
