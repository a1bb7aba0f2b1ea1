// Builds the publishable workspaces the way a release does (tsc for declarations, then
// `backstage-cli repo build`) and packs each with `npm pack`, whose prepack/postpack scripts
// (`backstage-cli package prepack|postpack`) point package.json at dist/ for the tarball only.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** Every workspace that is not private: the packages a release publishes. */
export function publishableWorkspaces(root) {
  const listed = execFileSync('npm', ['query', '.workspace'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(listed)
    .filter(ws => !ws.private)
    .map(ws => ({ name: ws.name, version: ws.version, dir: ws.realpath }));
}

export function buildWorkspaces(root, log = console.log) {
  const bin = name => join(root, 'node_modules/.bin', name);
  log('pack: tsc (declarations into dist-types/)');
  execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  log('pack: backstage-cli repo build');
  execFileSync(bin('backstage-cli'), ['repo', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
}

/** Packs each workspace into destination; returns [{ name, version, dir, tarball }]. */
export function packWorkspaces(root, destination, workspaces) {
  return workspaces.map(ws => {
    const out = execFileSync(
      'npm',
      ['pack', '--json', '--pack-destination', destination],
      { cwd: ws.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [{ filename }] = JSON.parse(out.slice(out.indexOf('[')));
    return { ...ws, tarball: join(destination, filename) };
  });
}
