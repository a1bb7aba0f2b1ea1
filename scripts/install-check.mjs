// `npm run install:check`: installs the packed packages into a fresh host portal made from
// test/host-app (Backstage 1.55 as create-app lays it out) and proves they work there: no foreign
// @backstage/* copies, the app type-checks against the frontend plugin, and the host backend with
// the backups plugin and the packed agent backs up a SQLite target through the REST API.
//   npm run install:check [-- --tarballs DIR] [--keep]
// --tarballs reuses `npm run pack:check -- --keep DIR`'s tarballs (else they are built and packed
// here); --keep leaves the host app folder for a look.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { foreignBackstageCopies } from './install/foreignBackstageCopies.mjs';
import { installHostApp, makeHostApp } from './install/makeHostApp.mjs';
import {
  buildWorkspaces,
  packWorkspaces,
  publishableWorkspaces,
} from './pack/packWorkspaces.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = name =>
  args.includes(name) ? resolve(args[args.indexOf(name) + 1]) : undefined;
const keep = args.includes('--keep');
const deadlineMs = 180_000;

const work = mkdtempSync(join(tmpdir(), 'safekeep-install-'));
const host = join(work, 'host');
const children = [];
const step = (started, what) =>
  console.log(
    `install:check ${what} (${((Date.now() - started) / 1000).toFixed(0)}s)`,
  );
const sleep = ms => new Promise(r => setTimeout(r, ms));

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

function render(file, values) {
  let text = readFileSync(join(host, file), 'utf8');
  for (const [key, value] of Object.entries(values))
    text = text.replaceAll(`__${key}__`, String(value));
  const left = text.match(/__[A-Z_]+__/);
  if (left) throw new Error(`${file}: no value for the placeholder ${left[0]}`);
  writeFileSync(join(host, file), text);
}

/** Starts a long-running process of the host, its output in work/NAME.log. */
function start(name, command, commandArgs, options) {
  const log = [];
  const child = spawn(command, commandArgs, {
    ...options,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.on('data', d => log.push(d));
  child.stderr.on('data', d => log.push(d));
  child.on('exit', code =>
    log.push(Buffer.from(`\n[${name} exited ${code}]\n`)),
  );
  children.push(child);
  return { child, output: () => Buffer.concat(log).toString('utf8') };
}

async function api(url, token, init = {}) {
  const response = await fetch(url, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function sha256Of(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function main() {
  let started = Date.now();
  let tarballs = option('--tarballs');
  if (!tarballs) {
    buildWorkspaces(root);
    tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    packWorkspaces(root, tarballs, publishableWorkspaces(root));
    step(started, `packed into ${tarballs}`);
  }

  started = Date.now();
  makeHostApp({ root, dir: host, tarballs });
  installHostApp(host, join(work, 'npm-install.log'));
  step(started, 'host app installed from the registry and the tarballs');

  const foreign = foreignBackstageCopies(host);
  if (foreign.length) {
    throw new Error(
      `Safekeep brings @backstage/* versions the host does not use (widen the ranges):\n  ${foreign.join(
        '\n  ',
      )}`,
    );
  }
  console.log("install:check no @backstage/* version beyond the host's own");

  started = Date.now();
  execFileSync(join(host, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {
    cwd: host,
    stdio: 'inherit',
  });
  step(started, "the app type-checks against the packed plugin's declarations");

  // A SQLite database with rows, through the better-sqlite3 the agent brought.
  const data = join(host, 'data');
  mkdirSync(join(data, 'snapshots'), { recursive: true });
  const databaseFile = join(data, 'orders.db');
  execFileSync(
    process.execPath,
    [
      '-e',
      `const D = require('better-sqlite3'); const d = new D(${JSON.stringify(
        databaseFile,
      )});
       d.exec('create table orders (id integer primary key, item text)');
       const insert = d.prepare('insert into orders (item) values (?)');
       for (let i = 0; i < 1000; i++) insert.run('item ' + i);
       d.close();`,
    ],
    { cwd: join(host, 'packages/backend') },
  );

  const [backendPort, agentPort] = [await freePort(), await freePort()];
  const agentToken = randomBytes(32).toString('hex');
  const apiToken = randomBytes(24).toString('base64url');
  render('app-config.yaml', {
    BACKEND_PORT: backendPort,
    AGENT_PORT: agentPort,
    API_TOKEN: apiToken,
    AGENT_TOKEN: agentToken,
    CATALOG_FILE: join(host, 'catalog.yaml'),
  });
  render('agent.yaml', {
    AGENT_PORT: agentPort,
    SNAPSHOTS_DIR: join(data, 'snapshots'),
    DATABASE_FILE: databaseFile,
  });

  const agent = start(
    'agent',
    join(host, 'node_modules/.bin/safekeep-agent'),
    ['serve', '--config', join(host, 'agent.yaml')],
    { cwd: host, env: { ...process.env, SAFEKEEP_AGENT_TOKEN: agentToken } },
  );
  const backend = start(
    'backend',
    process.execPath,
    ['src/index.js', '--config', join(host, 'app-config.yaml')],
    { cwd: join(host, 'packages/backend') },
  );

  started = Date.now();
  const base = `http://127.0.0.1:${backendPort}/api/backups`;
  const entity = `${base}/entities/resource/default/orders-db`;
  let summary;
  while (!summary?.policy) {
    if (Date.now() - started > deadlineMs)
      throw new Error(
        `the host backend never listed orders-db's policy; last answer: ${JSON.stringify(
          summary,
        )}`,
      );
    for (const [name, proc] of [
      ['backend', backend],
      ['agent', agent],
    ]) {
      if (proc.child.exitCode !== null)
        throw new Error(
          `the host ${name} exited; the end of its output:\n${proc
            .output()
            .split('\n')
            .slice(-30)
            .join('\n')}`,
        );
    }
    summary = await api(`${entity}/summary`, apiToken)
      .then(r => r.body)
      .catch(() => undefined);
    if (!summary?.policy) await sleep(2000);
  }
  step(started, 'the host backend serves the backups plugin with the policy');

  started = Date.now();
  const run = await api(`${entity}/runs`, apiToken, {
    method: 'POST',
    body: '{}',
  });
  if (run.status !== 202)
    throw new Error(
      `POST ${entity}/runs answered ${run.status}: ${JSON.stringify(run.body)}`,
    );
  let record;
  while (!['succeeded', 'failed'].includes(record?.status)) {
    if (Date.now() - started > deadlineMs)
      throw new Error(
        `run ${run.body.runId} did not finish; last: ${JSON.stringify(record)}`,
      );
    await sleep(1000);
    const { body } = await api(`${entity}/runs?limit=5`, apiToken);
    record = body.items.find(r => r.id === run.body.runId);
  }
  if (record.status !== 'succeeded')
    throw new Error(`the backup failed: ${record.error}`);
  // The file MANIFEST.json names (whole: orders.db.zst; chunked: its index orders.db.chunks.zst).
  const snapshotDir = fileURLToPath(record.location);
  const manifest = JSON.parse(
    readFileSync(join(snapshotDir, 'MANIFEST.json'), 'utf8'),
  );
  const artifact = join(snapshotDir, manifest.artifacts[0].name);
  if (sha256Of(artifact) !== record.sha256)
    throw new Error(
      `the stored ${artifact} does not match the run record's sha256 ${record.sha256}`,
    );
  step(
    started,
    `"Back up now" through the REST API succeeded: ${record.bytesRaw} bytes, stored ${record.bytesStored}, sha256 matches ${record.snapshotId}`,
  );

  const logs = `${backend.output()}\n${agent.output()}`;
  const deprecations = logs
    .split('\n')
    .filter(line => /deprecat/i.test(line) && /safekeep|backups/i.test(line));
  if (deprecations.length)
    throw new Error(`deprecation warnings:\n${deprecations.join('\n')}`);
  for (const [what, secret] of [
    ['agent token', agentToken],
    ['API token', apiToken],
  ]) {
    if (logs.includes(secret)) throw new Error(`the ${what} appears in a log`);
  }
  console.log('install:check no deprecation warning, no token in the logs');
}

function stopAll() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

main().then(
  () => {
    stopAll();
    if (!keep) rmSync(work, { recursive: true, force: true });
    else console.log(`install:check host app kept in ${host}`);
    console.log('install:check ok');
  },
  error => {
    stopAll();
    console.error(`install:check FAILED: ${error.message}`);
    console.error(`install:check host app left in ${host} for a look`);
    process.exitCode = 1;
  },
);
