#!/usr/bin/env node
// `npm run bench:agent-idle [-- --starts=5]`
//
// What a running agent holds before its first job, measured as bench:agent does (the built
// bundle, `safekeep-agent serve` with the bench's config: six PostgreSQL targets, a filesystem
// and an S3 tier; resident memory one second after /v1/health answered), over several starts,
// median reported; then the packages of node_modules the idle agent has loaded, from one more
// start with a preload that lists them. No database is needed: nothing connects before a job.
// The last line on stdout is one JSON object. See docs/performance.md ("Agent").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_ENV, writeAgentConfig } from './lib/agentConfig.mjs';
import { buildAgent } from './lib/agentBuild.mjs';
import { startAgentServer } from './lib/agentServer.mjs';
import { log, median, round } from './lib/processes.mjs';
import { startS3 } from './lib/s3rver.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const startsArg = process.argv.slice(2).find(a => a.startsWith('--starts='));
const starts = Number(startsArg?.slice('--starts='.length) ?? 5);
if (!(starts >= 1) || process.argv.length > 2 + (startsArg ? 1 : 0)) {
  console.error('usage: npm run bench:agent-idle -- [--starts=N, default 5]');
  process.exit(2);
}

/** The packages under node_modules a process has required (its require.cache), by name. */
const LIST_MODULES = `
process.on('SIGUSR2', () => {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\/(?!.*node_modules\\/)/.exec(file);
    if (match) names.add(match[1]);
  }
  require('node:fs').writeFileSync(process.env.SAFEKEEP_BENCH_MODULES_FILE, [...names].sort().join('\\n'));
});
`;

async function loadedPackages(agent, configFile, dir) {
  const preload = path.join(dir, 'list-modules.cjs');
  const output = path.join(dir, 'modules.txt');
  fs.writeFileSync(preload, LIST_MODULES);
  const server = await startAgentServer({
    agent: { ...agent, argv: ['--require', preload, ...agent.argv] },
    configFile,
    env: { ...AGENT_ENV, SAFEKEEP_BENCH_MODULES_FILE: output },
  });
  process.kill(server.pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(output); i++)
    await new Promise(r => setTimeout(r, 50));
  await server.stop();
  return fs.readFileSync(output, 'utf8').split('\n').filter(Boolean);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-bench-idle-'));
  const s3 = await startS3({ root: ROOT, dir: path.join(dir, 's3rver') });
  try {
    const configFile = writeAgentConfig({
      dir,
      pg: { host: '127.0.0.1', port: 5432, user: 'postgres' },
      databases: ['bench_a', 'bench_b', 'bench_c'],
      s3Endpoint: s3.endpoint,
      restoreInto: 'bench_restored',
    });
    const agent = await buildAgent({ root: ROOT, dir, devBin: false });
    const idle = [];
    const ready = [];
    for (let i = 0; i < starts; i++) {
      const server = await startAgentServer({
        agent,
        configFile,
        env: AGENT_ENV,
      });
      idle.push(server.idleRssMiB);
      ready.push(server.startSeconds);
      await server.stop();
    }
    const packages = await loadedPackages(agent, configFile, dir);
    log(`packages loaded at idle: ${packages.join(', ')}`);
    const summary = {
      idle_rss_mib: round(median(idle), 1),
      every_start_mib: idle.map(v => round(v, 1)),
      serve_ready_s: round(median(ready), 2),
      packages_at_idle: packages,
      node: process.version,
      load_average: os.loadavg().map(l => round(l)),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(`[bench:agent-idle] ${error.stack ?? error}`);
  process.exit(1);
});
