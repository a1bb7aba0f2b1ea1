import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { useTempDir } from '../testing/tempDir';
import { AGENT_VERSION } from '../version';

const packageDir = path.resolve(__dirname, '../..');
const repoNodeModules = path.resolve(packageDir, '../../node_modules');

/** A copy of bin/safekeep-agent in a folder of its own, laid out like a checkout or a tarball. */
function layout(dir: string, parts: { src?: boolean; dist?: string }) {
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.copyFileSync(
    path.join(packageDir, 'bin/safekeep-agent'),
    path.join(dir, 'bin/safekeep-agent'),
  );
  fs.symlinkSync(repoNodeModules, path.join(dir, 'node_modules'));
  if (parts.src)
    fs.symlinkSync(path.join(packageDir, 'src'), path.join(dir, 'src'));
  if (parts.dist !== undefined) {
    fs.mkdirSync(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'dist/index.cjs.js'), parts.dist);
  }
  return path.join(dir, 'bin/safekeep-agent');
}

const run = (bin: string, args: string[]) =>
  promisify(execFile)(process.execPath, [bin, ...args]);

describe('bin/safekeep-agent', () => {
  const tempDir = useTempDir('safekeep-bin-test-');

  it('runs the source in a checkout even when a stale dist/ exists', async () => {
    // `npm run build` leaves a dist/ whose imports point at workspace sources Node cannot load.
    const bin = layout(tempDir(), {
      src: true,
      dist: 'throw new Error("stale dist/ was loaded");',
    });
    const { stdout } = await run(bin, ['--version']);
    expect(stdout.trim()).toBe(AGENT_VERSION);
  }, 60_000);

  it('runs dist/ in a published package (no src/)', async () => {
    const bin = layout(tempDir(), {
      dist: 'exports.runCli = async () => { process.stdout.write("dist ran"); return 0; };',
    });
    const { stdout } = await run(bin, ['anything']);
    expect(stdout).toBe('dist ran');
  });

  // docs/agent.md: config errors exit 2. Checked on the real process, as a service manager sees it.
  it.each([
    ['a YAML syntax error', 'agent: [\n'],
    ['missing sections', 'agent:\n  name: x\n'],
    [
      'an unknown engine',
      'agent:\n  name: x\n  token: { env: T }\nstorage:\n  local: { type: filesystem, path: ./s }\ntargets:\n  a: { engine: nope, path: ./a }\n',
    ],
    ['a missing file', undefined],
  ])(
    'exits 2 on a config with %s, for list and serve',
    async (_what, yaml) => {
      const dir = tempDir();
      const config = path.join(dir, 'agent.yaml');
      if (yaml !== undefined) fs.writeFileSync(config, yaml);
      for (const command of ['list', 'serve']) {
        const code = await run(path.join(packageDir, 'bin/safekeep-agent'), [
          command,
          '--config',
          config,
        ]).then(
          () => 0,
          (error: { code?: number }) => error.code,
        );
        expect({ command, code }).toEqual({ command, code: 2 });
      }
    },
    60_000,
  );
});
