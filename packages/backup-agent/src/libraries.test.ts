import { execFileSync } from 'node:child_process';
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
