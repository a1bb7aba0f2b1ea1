// Starts the dev portal exactly as `npm start` does (node scripts/start.mjs) in a process group of
// its own, waits until backend and app answer, and stops the whole group again.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const BACKEND = 'http://localhost:7007';
export const APP = 'http://localhost:3000';
const PORTS = [3000, 7007, 7400];

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function isListening(port) {
  return new Promise(resolve => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Refuses to start next to a running portal: the test would talk to the wrong one. */
export async function assertPortsFree() {
  const busy = [];
  for (const port of PORTS) if (await isListening(port)) busy.push(port);
  if (busy.length) {
    throw new Error(
      `port ${busy.join(
        ', ',
      )} already in use: stop the running portal (npm start / npm run smoke) first`,
    );
  }
}

export function startPortal({ root, env, logFile }) {
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: { ...process.env, BROWSER: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  // backstage-cli restarts the dev backend whenever a watched source file changes (someone
  // editing the repo): counted, so a step that overlapped a restart can be run again.
  let restarts = 0;
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', chunk => {
      restarts += (
        String(chunk).match(/restarting the development server/g) ?? []
      ).length;
    });
  }
  let exited = false;
  child.once('exit', () => (exited = true));

  return {
    pid: child.pid,
    hasExited: () => exited,
    restarts: () => restarts,
    /** SIGTERM to the group, SIGKILL after 10 s if anything is left. */
    async stop() {
      const signal = sig => {
        try {
          process.kill(-child.pid, sig);
          return true;
        } catch {
          return false; // the group is gone
        }
      };
      if (!signal('SIGTERM')) return;
      for (let i = 0; i < 20; i++) {
        await sleep(500);
        if (!signal(0)) return;
      }
      signal('SIGKILL');
    },
    /** Kills the group at once, for process exit handlers that cannot wait. */
    killNow() {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    },
  };
}

async function ok(url, init) {
  try {
    const response = await fetch(url, init);
    return response.ok ? response : undefined;
  } catch {
    return undefined;
  }
}

/** Polls `probe` every 2 s until it returns something truthy, the portal exits, or `timeoutMs` passes. */
export async function waitFor(what, probe, { portal, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    // A failing probe is retried: the dev backend restarts when a watched source file changes.
    const value = await probe().catch(error => {
      lastError = error;
      return undefined;
    });
    if (value) return value;
    if (portal?.hasExited())
      throw new Error(`the portal exited while waiting for ${what}`);
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${Math.round(timeoutMs / 1000)} s${
          lastError ? ` (last error: ${lastError.message})` : ''
        }`,
      );
    }
    await sleep(2000);
  }
}

export function backendUp() {
  return ok(`${BACKEND}/api/backups/health`);
}

export async function appUp() {
  const response = await ok(APP);
  return response && (await response.text()).includes('<div id="root">');
}

/**
 * A Backstage token from one of the demo's credential-less providers, as the sign-in page gets
 * it: `guest` (the developer) or `demo-approver`.
 */
export async function demoToken(provider = 'guest') {
  const response = await ok(`${BACKEND}/api/auth/${provider}/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  return response ? (await response.json()).backstageIdentity.token : undefined;
}

export async function postJson(path, token, body) {
  const response = await fetch(`${BACKEND}${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: await response.json().catch(() => undefined),
  };
}

export async function getJson(path, token) {
  const response = await fetch(`${BACKEND}${path}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok)
    throw new Error(
      `GET ${path}: HTTP ${response.status} ${await response.text()}`,
    );
  return response.json();
}
