// Rebuilds the native addons when the Node that runs now cannot load them: node_modules built by
// another Node (say, an `npm install` under Node 24, then Node 22) fails with
// "NODE_MODULE_VERSION 127 ... requires 137" and npm does not rebuild what is already installed.
// Runs as the root `postinstall` and before `npm start`; `--check` only reports.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDONS = ['better-sqlite3'];

/** Why the running Node cannot load the addon, or undefined when it can. */
function loadProblem(root, name) {
  const require = createRequire(join(root, 'package.json'));
  try {
    const Database = require(name);
    new Database(':memory:').close();
    return undefined;
  } catch (error) {
    return String(error.message).split('\n').slice(0, 2).join(' ');
  }
}

/**
 * node-gyp compiles against npm's `nodedir` (a machine-wide setting may name another Node's
 * headers); the running Node's own headers, when its folder ships them, are the right ones.
 */
function headersOfRunningNode() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include/node/node.h'))
    ? { npm_config_nodedir: prefix }
    : {};
}

/** Rebuilds every addon the running Node cannot load; returns the ones still broken. */
export function ensureNativeAddons(
  root,
  { checkOnly = false, log = console.error } = {},
) {
  const broken = [];
  for (const name of ADDONS) {
    const problem = loadProblem(root, name);
    if (!problem) continue;
    log(
      `safekeep: ${name} does not load under Node ${process.version}: ${problem}`,
    );
    if (checkOnly) {
      broken.push(name);
      continue;
    }
    log(
      `safekeep: npm rebuild ${name} (for Node ${process.version}; about 2 minutes)`,
    );
    const rebuilt = spawnSync('npm', ['rebuild', name], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...headersOfRunningNode() },
    });
    // A fresh process: this one has the old build loaded (or cached as failing).
    const after = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), '--check'],
      { cwd: root, stdio: 'inherit' },
    );
    if (rebuilt.status !== 0 || after.status !== 0) broken.push(name);
  }
  return broken;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const broken = ensureNativeAddons(root, {
    checkOnly: process.argv.includes('--check'),
  });
  if (broken.length) {
    console.error(
      `safekeep: ${broken.join(
        ', ',
      )} still does not load. Use Node 22 or 24 ("source scripts/node22.sh"), then "npm rebuild ${broken.join(
        ' ',
      )}".`,
    );
    process.exit(1);
  }
}
