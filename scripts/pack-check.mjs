// `npm run pack:check`: builds and packs every publishable workspace, unpacks each tarball and
// fails when one could not be installed from the registry (see pack/checkPackedPackage.mjs).
// `--no-build` reuses the dist/ folders already built; `--keep DIR` leaves the tarballs in DIR.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPackedPackage } from './pack/checkPackedPackage.mjs';
import {
  buildWorkspaces,
  packWorkspaces,
  publishableWorkspaces,
} from './pack/packWorkspaces.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep')
  ? resolve(args[args.indexOf('--keep') + 1])
  : undefined;

if (!args.includes('--no-build')) buildWorkspaces(root);
const work = mkdtempSync(join(tmpdir(), 'safekeep-pack-'));
const destination = keep ?? join(work, 'tarballs');
mkdirSync(destination, { recursive: true });

let failed = 0;
for (const packed of packWorkspaces(
  root,
  destination,
  publishableWorkspaces(root),
)) {
  const unpacked = join(work, packed.name.replace('/', '+'));
  mkdirSync(unpacked);
  execFileSync('tar', [
    '-xzf',
    packed.tarball,
    '-C',
    unpacked,
    '--strip-components=1',
  ]);
  const problems = checkPackedPackage(unpacked);
  failed += problems.length;
  console.log(
    `pack:check ${packed.name}@${packed.version}: ${
      problems.length ? 'FAILED' : 'ok'
    }`,
  );
  for (const problem of problems) console.log(`  - ${problem}`);
}
rmSync(work, { recursive: true, force: true });
if (keep) console.log(`pack:check: tarballs in ${keep}`);
process.exit(failed ? 1 : 0);
