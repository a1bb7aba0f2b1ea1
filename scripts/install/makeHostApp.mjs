// Makes the fresh host portal of `npm run install:check` from the template in test/host-app:
// copies it, adds the packed Safekeep tarballs as a user adds published packages, and installs
// it with npm (the host's own ranges resolved from the registry, as in a new create-app portal).
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TEMPLATE = 'test/host-app';

/** The tarball of package `name` (`@safekeep/plugin-backups` -> safekeep-plugin-backups-0.1.0.tgz). */
export function tarballOf(tarballs, name) {
  const prefix = `${name.replace('@', '').replace('/', '-')}-`;
  const found = readdirSync(tarballs).filter(
    file => file.startsWith(prefix) && /^\d/.test(file.slice(prefix.length)),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one tarball of ${name} in ${tarballs}, found ${
        found.join(', ') || 'none'
      }: run npm run pack:check -- --keep ${tarballs}`,
    );
  }
  return join(tarballs, found[0]);
}

function editJson(path, edit) {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  edit(json);
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
}

/** Copies the template to dir and points it at the tarballs; returns nothing, throws on failure. */
export function makeHostApp({ root, dir, tarballs }) {
  cpSync(join(root, TEMPLATE), dir, { recursive: true });
  const file = name => `file:${tarballOf(tarballs, name)}`;
  editJson(join(dir, 'packages/backend/package.json'), pkg => {
    pkg.dependencies['@safekeep/plugin-backups-backend'] = file(
      '@safekeep/plugin-backups-backend',
    );
    // The agent, installed where the portal runs, as docs/agent.md shows for a host.
    pkg.dependencies['@safekeep/backup-agent'] = file('@safekeep/backup-agent');
  });
  editJson(join(dir, 'packages/app/package.json'), pkg => {
    pkg.dependencies['@safekeep/plugin-backups'] = file(
      '@safekeep/plugin-backups',
    );
  });
  // -common is a dependency of the three others, published beside them: unpublished here, so
  // npm is told where its 0.1.0 is.
  editJson(join(dir, 'package.json'), pkg => {
    pkg.overrides = {
      '@safekeep/plugin-backups-common': file(
        '@safekeep/plugin-backups-common',
      ),
    };
  });
  // As in this repository (docs/development.md): npm, unlike the yarn create-app uses, refuses
  // Material UI 4's React 16/17 peer range next to React 18.
  writeFileSync(join(dir, '.npmrc'), 'legacy-peer-deps=true\n');
}

export function installHostApp(dir, logFile) {
  try {
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 },
    );
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    writeFileSync(logFile, output);
    throw new Error(
      `npm install of the host app failed (log: ${logFile}):\n${output
        .split('\n')
        .slice(-25)
        .join('\n')}`,
    );
  }
}
