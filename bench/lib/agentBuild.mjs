// The agent as it ships, for the benches: its sources (and the workspace contract package)
// bundled into one CommonJS file, dependencies left to node_modules, as `backstage-cli package
// build` makes dist/. The development bin compiles TypeScript on the fly instead (Backstage's
// Node transform), which costs about 70 MiB of memory and seconds of startup: --dev-bin.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export async function buildAgent({ root, dir, devBin }) {
  if (devBin)
    return {
      argv: [path.join(root, 'packages/backup-agent/bin/safekeep-agent')],
      env: {},
    };
  const esbuild = createRequire(path.join(root, 'package.json'))('esbuild');
  const entry = path.join(dir, 'agent-entry.ts');
  const outfile = path.join(dir, 'agent.cjs');
  fs.writeFileSync(
    entry,
    `import { runCli } from ${JSON.stringify(
      path.join(root, 'packages/backup-agent/src/cli/runCli'),
    )};\n` +
      'runCli(process.argv.slice(2)).then(code => { process.exitCode = code; });\n',
  );
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    logLevel: 'warning',
    plugins: [
      {
        name: 'dependencies-external',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, resolved =>
            resolved.path.startsWith('@safekeep/')
              ? undefined
              : { path: resolved.path, external: true },
          );
        },
      },
    ],
  });
  // Dependencies resolve as in an installed package: from a node_modules beside the file, for
  // require() and import() alike (import() does not read NODE_PATH).
  fs.symlinkSync(
    path.join(root, 'node_modules'),
    path.join(dir, 'node_modules'),
    'dir',
  );
  return { argv: [outfile], env: {} };
}
