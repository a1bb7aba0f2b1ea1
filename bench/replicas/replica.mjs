#!/usr/bin/env node
// Entry of one bench replica process (see replica.ts).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('@backstage/cli/config/nodeTransform.cjs');
require('./replica.ts');
