// `npm run smoke`: runs the README's run command (`npm start`) and checks, like a person would,
// that within two minutes both demo resources have a succeeded backup whose sha256 matches the
// stored artifact, that Prometheus can scrape their last-success gauge, and that the app answers
// on 3000. Prints the time to the first success.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const deadlineMs = Number(process.env.SAFEKEEP_SMOKE_DEADLINE_MS ?? 120_000);
const resources = ['notes-db', 'notes-attachments'];

const sleep = ms => new Promise(r => setTimeout(r, ms));
const started = Date.now();
const portal = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let output = '';
portal.stdout.on('data', d => (output += d));
portal.stderr.on('data', d => (output += d));

function shutdown() {
  try {
    process.kill(-portal.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

async function fetchJson(url, init) {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

async function sha256Of(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

async function main() {
  let token;
  while (!token) {
    if (Date.now() - started > deadlineMs + 120_000)
      throw new Error('the backend never answered on 7007');
    try {
      const body = await fetchJson(
        'http://localhost:7007/api/auth/guest/refresh',
        {
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        },
      );
      token = body.backstageIdentity.token;
    } catch {
      await sleep(2000);
    }
  }
  const backendUp = Date.now();
  console.log(
    `backend answered after ${((backendUp - started) / 1000).toFixed(1)}s`,
  );

  const done = new Map();
  let lastError = 'no answer yet';
  while (done.size < resources.length) {
    if (Date.now() - backendUp > deadlineMs) {
      throw new Error(
        `no succeeded backup of ${resources
          .filter(r => !done.has(r))
          .join(', ')} within ${
          deadlineMs / 1000
        }s of the backend's start; last seen: ${lastError}`,
      );
    }
    for (const name of resources.filter(r => !done.has(r))) {
      // On a first start the catalog may not have ingested the demo entities yet (404): wait.
      let summary;
      try {
        summary = await fetchJson(
          `http://localhost:7007/api/backups/entities/resource/default/${name}/summary`,
          {
            headers: { Authorization: `Bearer ${token}` },
          },
        );
      } catch (error) {
        lastError = error.message;
        continue;
      }
      const run = summary.lastSuccess;
      if (run && run.bytesStored > 0) done.set(name, { run, at: Date.now() });
      else
        lastError = `${name}: health ${summary.health} (${summary.healthReason})`;
    }
    await sleep(2000);
  }

  for (const [name, { run, at }] of done) {
    const location = new URL(run.location);
    if (location.protocol !== 'file:')
      throw new Error(
        `${name}: expected a file:// location, got ${run.location}`,
      );
    // The location is the snapshot's folder; its MANIFEST.json names the artifacts.
    const snapshotDir = fileURLToPath(location);
    const manifest = JSON.parse(
      readFileSync(join(snapshotDir, 'MANIFEST.json'), 'utf8'),
    );
    // The demo seals its manifests (examples/demo-agent.yaml's defaults.manifestKey).
    if (manifest.authentication?.algorithm !== 'hmac-sha256')
      throw new Error(
        `${name}: MANIFEST.json in ${snapshotDir} is not sealed (no hmac-sha256 authentication)`,
      );
    const artifactPath = join(snapshotDir, manifest.artifacts[0].name);
    const actual = await sha256Of(artifactPath);
    if (actual !== run.sha256)
      throw new Error(
        `${name}: sha256 of ${artifactPath} is ${actual}, the run record says ${run.sha256}`,
      );
    console.log(
      `${name}: succeeded ${((at - backendUp) / 1000).toFixed(
        1,
      )}s after the backend started, ` +
        `${run.bytesStored} bytes stored, sha256 ${run.sha256} matches ${artifactPath}`,
    );
  }

  // The backups gauge, scraped as Prometheus would (packages/backend/src/metrics/): it is fed
  // by each success, so both resources are there once their backups succeeded.
  const scrape = await (await fetch('http://127.0.0.1:9464/metrics')).text();
  for (const [name, { run }] of done) {
    const line = scrape
      .split('\n')
      .find(
        l =>
          l.startsWith('safekeep_backup_last_success{') &&
          l.includes(`entity_ref="resource:default/${name}"`),
      );
    if (!line)
      throw new Error(
        `metrics: no safekeep_backup_last_success for ${name} at http://127.0.0.1:9464/metrics`,
      );
    const value = Number(line.split(' ').pop());
    const finished = Math.floor(new Date(run.finishedAt).getTime() / 1000);
    if (value < finished)
      throw new Error(
        `metrics: ${name}'s last success is ${value}, its run finished at ${finished}`,
      );
    console.log(`metrics: ${line}`);
  }

  const app = await fetch('http://localhost:3000/');
  const html = await app.text();
  if (!app.ok || !html.includes('<div id="root">'))
    throw new Error(`the app on 3000 answered ${app.status}`);
  console.log('app: http://localhost:3000 serves the portal');
  console.log('smoke: 1 passed, 0 failed');
}

main()
  .then(() => {
    shutdown();
    process.exit(0);
  })
  .catch(error => {
    console.error(
      `smoke FAILED: ${
        error.message
      }\n--- portal output (last 4000 chars) ---\n${output.slice(-4000)}`,
    );
    shutdown();
    process.exit(1);
  });
