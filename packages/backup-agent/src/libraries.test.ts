import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  LAZY_LIBRARIES,
  pgLibrary,
  redisLibrary,
  s3Library,
} from './libraries';

jest.setTimeout(60_000);

/** The packages (of `names`) that a fresh Node process has loaded after running `script`. */
function loadedAfter(script: string, names: string[]): string[] {
  const output = execFileSync(
    process.execPath,
    [
      '-r',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      '-e',
      `${script}
       const names = ${JSON.stringify(names)};
       const loaded = Object.keys(require.cache);
       console.log(JSON.stringify(names.filter(name =>
         loaded.some(file => file.includes('/node_modules/' + name + '/')))));`,
    ],
    { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' },
  );
  return JSON.parse(output.trim().split('\n').pop()!);
}

/** The packages of node_modules that `script` (awaited) makes a fresh process load, beyond -common's. */
function packagesLoadedBy(script: string): string[] {
  const output = execFileSync(
    process.execPath,
    [
      '-r',
      require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      '-e',
      `const packages = () => new Set(Object.keys(require.cache).flatMap(file => {
         const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\/(?!.*node_modules\\/)/.exec(file);
         return match ? [match[1]] : [];
       }));
       // The contract package's own dependencies (permissions, schedules) are counted apart.
       require('@safekeep/plugin-backups-common');
       const before = packages();
       (async () => { ${script} })().then(() => {
         console.log(JSON.stringify([...packages()].filter(p => !before.has(p)).sort()));
         process.exit(0);
       }, error => { console.error(error); process.exit(1); });`,
    ],
    { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' },
  );
  return JSON.parse(output.trim().split('\n').pop()!);
}

describe('client libraries', () => {
  it('are not loaded when the agent starts, only on first use', () => {
    // What every CLI run and `serve` load before they do anything.
    expect(loadedAfter(`require('./src/index.ts');`, LAZY_LIBRARIES)).toEqual(
      [],
    );
    expect(
      loadedAfter(
        `require('./src/index.ts'); require('./src/libraries.ts').pgLibrary();`,
        LAZY_LIBRARIES,
      ),
    ).toEqual(['pg']);
  });

  it('stay unloaded in an agent that serves its API until a job needs them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-idle-'));
    try {
      const loaded = packagesLoadedBy(`
        process.env.SAFEKEEP_TEST_IDLE_TOKEN = 'idle-test-token-0123456789-abcdef';
        const { startAgentServer } = require('./src/index.ts');
        const server = await startAgentServer({
          agent: { name: 'idle', token: { env: 'SAFEKEEP_TEST_IDLE_TOKEN' },
                   staging: './staging', listen: { port: 0 } },
          // An S3 tier would load the AWS SDK at start: its leftovers are swept then.
          storage: { local: { type: 'filesystem', path: './snapshots' } },
          targets: {
            db: { engine: 'postgres', host: '127.0.0.1', databases: ['app'], tiers: ['local'] },
            files: { engine: 'directory', path: './files' },
          },
        }, { baseDir: ${JSON.stringify(dir)}, log: () => undefined });
        const health = await fetch(server.url + '/v1/health', {
          headers: { authorization: 'Bearer idle-test-token-0123456789-abcdef' },
        });
        if (health.status !== 200) throw new Error('health: ' + health.status);
        await server.close();`);
      // The config's parser and the CLI's (index.ts exports runCli): no HTTP framework, no
      // engine or storage library, no tar.
      expect(loaded).toEqual(['commander', 'yaml']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('give what their static imports gave', () => {
    expect(typeof pgLibrary().Client).toBe('function');
    expect(typeof s3Library().GetObjectCommand).toBe('function');
    // ioredis's default export is the client class.
    const Redis = redisLibrary();
    const client = new Redis({ lazyConnect: true });
    expect(typeof client.connect).toBe('function');
    client.disconnect();
  });
});
