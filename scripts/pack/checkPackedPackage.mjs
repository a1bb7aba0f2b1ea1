// What makes an unpacked tarball uninstallable: an entry point (main, module, types, exports,
// typesVersions, bin) that is missing from the tarball or is TypeScript source, shipped .ts
// sources, and dependencies that only resolve inside this repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const LOCAL_PROTOCOLS = /^(workspace|file|link|portal):/;
const isSource = file =>
  /\.(ts|tsx|mts|cts)$/.test(file) && !/\.d\.[mc]?ts$/.test(file);

/** Every file below exports (conditions and subpaths alike). */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (!exports || typeof exports !== 'object') return [];
  // The "backstage" condition names the feature type (@backstage/FrontendPlugin), not a file.
  return Object.entries(exports)
    .filter(([key]) => key !== 'backstage')
    .flatMap(([, value]) => exportTargets(value));
}

function entryPoints(pkg) {
  const entries = [];
  for (const field of ['main', 'module', 'types', 'typings', 'browser'])
    if (typeof pkg[field] === 'string') entries.push([field, pkg[field]]);
  if (typeof pkg.bin === 'string') entries.push(['bin', pkg.bin]);
  for (const [name, file] of Object.entries(pkg.bin ?? {}))
    if (typeof pkg.bin === 'object') entries.push([`bin.${name}`, file]);
  for (const target of exportTargets(pkg.exports))
    entries.push(['exports', target]);
  for (const [sub, files] of Object.entries(pkg.typesVersions?.['*'] ?? {}))
    for (const file of files) entries.push([`typesVersions.${sub}`, file]);
  if (typeof pkg.configSchema === 'string')
    entries.push(['configSchema', pkg.configSchema]);
  return entries;
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(e => e.isFile())
    .map(e => relative(dir, join(e.parentPath, e.name)));
}

/** Problems with the package unpacked in dir, each saying what is wrong; [] when it is fine. */
export function checkPackedPackage(dir) {
  const problems = [];
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const [field, file] of entryPoints(pkg)) {
    if (!existsSync(join(dir, file)))
      problems.push(`${field} points at ${file}, which is not in the tarball`);
    else if (isSource(file))
      problems.push(
        `${field} points at TypeScript source ${file} (run backstage-cli package prepack)`,
      );
  }
  for (const file of filesUnder(dir).filter(isSource))
    problems.push(`ships TypeScript source ${file} (limit "files" to dist/)`);
  for (const field of [
    'dependencies',
    'peerDependencies',
    'optionalDependencies',
  ])
    for (const [name, range] of Object.entries(pkg[field] ?? {}))
      if (LOCAL_PROTOCOLS.test(range))
        problems.push(
          `${field}.${name} is "${range}", which only resolves in this repository`,
        );
  if (existsSync(join(dir, 'package.json-prepack')))
    problems.push('ships package.json-prepack (postpack did not run)');
  return problems;
}
