// "No duplicate @backstage/*": every copy of a Backstage package that Safekeep's packages bring
// into a host must be a version the host's own packages already use. npm nests copies of one
// version in several places (a fresh create-app portal has many 1.0.0 copies of
// frontend-plugin-api), so the test is on versions, not folders: a second *version* is a second
// library at run time (two React contexts, two extension-point registries).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Every installed package.json under node_modules: [{ name, version, path }]. */
function installedPackages(nodeModules, found = []) {
  if (!existsSync(nodeModules)) return found;
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@')
      ? readdirSync(join(nodeModules, entry)).map(n =>
          join(nodeModules, entry, n),
        )
      : [join(nodeModules, entry)];
    for (const dir of dirs) {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8'));
      found.push({ name, version, path: dir });
      installedPackages(join(dir, 'node_modules'), found);
    }
  }
  return found;
}

/**
 * Returns the copies of @backstage/* packages found only below a @safekeep/* package whose
 * version no other copy in the host has, e.g.
 * `@backstage/plugin-catalog-node@3.0.0 under @safekeep/plugin-backups-backend (host: 2.2.5)`.
 */
export function foreignBackstageCopies(hostDir) {
  const all = installedPackages(join(hostDir, 'node_modules')).filter(p =>
    p.name?.startsWith('@backstage/'),
  );
  const underSafekeep = p =>
    relative(hostDir, p.path).split(sep).includes('@safekeep');
  const hostVersions = new Map();
  for (const p of all.filter(p => !underSafekeep(p))) {
    hostVersions.set(
      p.name,
      (hostVersions.get(p.name) ?? new Set()).add(p.version),
    );
  }
  return all
    .filter(p => underSafekeep(p))
    .filter(
      p => hostVersions.has(p.name) && !hostVersions.get(p.name).has(p.version),
    )
    .map(
      p =>
        `${p.name}@${p.version} in ${relative(
          hostDir,
          p.path,
        )} (the host has ${[...hostVersions.get(p.name)].join(', ')})`,
    );
}
