// `npm start`: the demo agent plus the portal (backend on 7007, app on 3000), on embedded defaults.
// Everything the demo writes lives in the git-ignored data/ folder (or in SAFEKEEP_DATA_DIR when
// set, which the end-to-end test uses to run on records of its own).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  backstageDatabaseDir,
  defaultDataDir,
  resolveDataDir,
  writeDemoAgentConfigFor,
} from './data-dir.mjs';
import { ensureDemoData } from './demo-data.mjs';
import { ensureNativeAddons } from './native-addons.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolveDataDir(root);

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `safekeep: Node ${process.version} is too old; Safekeep needs Node 22 or 24.\n` +
      `  Run "source scripts/node22.sh" (installs Node 22 from the npm registry into .tools/), then "npm install && npm start".`,
  );
  process.exit(1);
}

// node_modules installed under another Node holds addons this one cannot load: rebuild them
// now rather than crash in the backend with "NODE_MODULE_VERSION ... requires ...".
if (ensureNativeAddons(root).length) process.exit(1);

mkdirSync(dataDir, { recursive: true });
ensureDemoData(dataDir);

// The agent's bearer token: generated once, kept in data/ (mode 0600), handed to both
// processes through the environment, never printed.
const tokenFile = join(dataDir, 'agent-token');
if (!existsSync(tokenFile))
  writeFileSync(tokenFile, randomBytes(32).toString('hex'), { mode: 0o600 });
// The key that seals the demo's manifests (docs/agent.md, "Authenticated manifests"), made
// the same way. Snapshots a demo made before it had the key are unsealed: listed as unreadable.
const manifestKeyFile = join(dataDir, 'manifest-key');
if (!existsSync(manifestKeyFile)) {
  const earlier = readdirSync(join(dataDir, 'snapshots')).filter(
    name => !name.startsWith('.'),
  );
  if (earlier.length)
    console.log(
      `safekeep: the demo now seals its manifests; snapshots it made before are unsealed and show as unreadable (remove ${dataDir} to start over)`,
    );
  writeFileSync(manifestKeyFile, randomBytes(32).toString('hex'), {
    mode: 0o600,
  });
}
const env = {
  ...process.env,
  SAFEKEEP_AGENT_TOKEN: readFileSync(tokenFile, 'utf8').trim(),
};
// Only the agent holds the manifest key; the portal never needs it.
const agentEnv = {
  ...env,
  SAFEKEEP_MANIFEST_KEY: readFileSync(manifestKeyFile, 'utf8').trim(),
};

// Another data folder: the backend's SQLite files (through Backstage's APP_CONFIG_ override) and
// the agent's targets and snapshots (a generated copy of the demo agent config) move there too.
let agentConfig = join(root, 'examples/demo-agent.yaml');
if (dataDir !== defaultDataDir(root)) {
  env.APP_CONFIG_backend_database_connection_directory =
    backstageDatabaseDir(dataDir);
  agentConfig = writeDemoAgentConfigFor(root, dataDir);
  console.log(`safekeep: data in ${dataDir}`);
}

const children = [];
let stopping = false;

function run(name, command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: root,
    env,
    stdio: 'inherit',
    ...options,
  });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(
      `safekeep: ${name} exited (${signal ?? code}); stopping the rest.`,
    );
    stop(code ?? 1);
  });
  return child;
}

function stop(code = 0) {
  stopping = true;
  for (const child of children)
    if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run(
  'agent',
  process.execPath,
  [
    join(root, 'packages/backup-agent/bin/safekeep-agent'),
    'serve',
    '--config',
    agentConfig,
  ],
  { env: agentEnv },
);
run('portal', join(root, 'node_modules/.bin/backstage-cli'), ['repo', 'start']);

console.log(
  'safekeep: agent on http://127.0.0.1:7400, backend on http://localhost:7007, app on http://localhost:3000',
);
