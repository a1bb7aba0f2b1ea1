#!/usr/bin/env node
// `npm run bench:replicas`: real backend replicas over one PostgreSQL database, stand-in
// agents; slots expected, run, duplicated, missed and overlaps. See docs/reliability.md.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('@backstage/cli/config/nodeTransform.cjs');
const { main } = require('./replicas/runReplicasBench.ts');

main().catch(error => {
  console.error(error);
  process.exit(1);
});
