import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { supportedEngines } from '../engines/registry';
import { ConfigError } from './ConfigError';
import { loadConfig, parseConfig } from './loadConfig';
import { resolveSecret } from './secretRef';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const valid = {
  agent: { name: 'demo-host', token: { env: 'SAFEKEEP_TEST_TOKEN' } },
  storage: { local: { type: 'filesystem', path: './snapshots' } },
  targets: {
    'app-db': { engine: 'sqlite', path: './data/app.db' },
    files: {
      engine: 'directory',
      path: './files',
      exclude: ['*.tmp'],
      tiers: ['local'],
    },
  },
};

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads YAML, applies defaults and resolves relative paths against the config folder', () => {
    const file = path.join(dir, 'agent.yaml');
    fs.writeFileSync(
      file,
      [
        'agent:',
        '  name: demo-host',
        '  listen: { host: 127.0.0.1, port: 7401 }',
        '  token: { env: SAFEKEEP_AGENT_TOKEN }',
        'storage:',
        '  local: { type: filesystem, path: ./data/snapshots }',
        'targets:',
        '  demo-sqlite: { engine: sqlite, path: ./data/demo/app.db, tiers: [local] }',
        '  demo-files: { engine: directory, path: ./data/demo/files, exclude: ["*.log"], compression: gzip }',
      ].join('\n'),
    );
    const config = loadConfig(file);
    expect(config.agent.listen).toEqual({ host: '127.0.0.1', port: 7401 });
    expect(config.storage.local).toEqual({
      type: 'filesystem',
      format: 'chunked',
      path: path.join(dir, 'data/snapshots'),
    });
    expect(config.targets['demo-sqlite']).toMatchObject({
      engine: 'sqlite',
      tiers: ['local'],
      compression: 'zstd',
      settings: { path: path.join(dir, 'data/demo/app.db') },
    });
    const files = config.targets['demo-files'];
    expect(files.compression).toBe('gzip');
    expect((files.settings as { exclude: string[] }).exclude).toEqual(
      expect.arrayContaining(['.git', 'node_modules', '.venv', '*.log']),
    );
  });

  it('names the field and the fix when a target misses its path', () => {
    const problems = problemsOf(() =>
      parseConfig(
        { ...valid, targets: { 'app-db': { engine: 'sqlite' } } },
        { baseDir: dir },
      ),
    );
    expect(problems).toEqual([
      'targets.app-db.path: required: the SQLite database file to back up',
    ]);
  });

  it('reports every problem at once, each with its path', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          agent: { name: 'demo host', token: { env: 'X' } },
          storage: { local: { type: 'ftp', path: '/x' } },
          defaults: { compression: 'lz4' },
          targets: {},
        },
        { baseDir: dir },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^agent\.name: must be a name of letters/),
        expect.stringMatching(
          /^storage\.local\.type: must be "filesystem" .* or "s3"/,
        ),
        'defaults.compression: must be one of zstd, gzip, none',
      ]),
    );
  });

  it('refuses one key id configured with two different keys, when the config is validated', () => {
    const hex = (c: string) => c.repeat(64);
    fs.writeFileSync(path.join(dir, 'old.key'), hex('a'));
    fs.writeFileSync(path.join(dir, 'new.key'), hex('b'));
    fs.writeFileSync(path.join(dir, 'same.key'), hex('a'));
    const withKeys = (files: string[]) => ({
      ...valid,
      defaults: { encryption: { keyId: 'prod', key: { file: files[0] } } },
      targets: {
        ...valid.targets,
        'app-db': {
          ...valid.targets['app-db'],
          encryption: {
            keyId: 'app',
            key: { file: files[1] },
            previousKeys: [{ keyId: 'prod', key: { file: files[2] } }],
          },
        },
      },
    });
    const problems = problemsOf(() =>
      parseConfig(withKeys(['old.key', 'new.key', 'new.key']), {
        baseDir: dir,
      }),
    );
    expect(problems).toEqual([
      'defaults.encryption.key, targets.app-db.encryption.previousKeys.0.key: encryption key id "prod" is configured with different keys; give each key its own id (keep an older one under encryption.previousKeys with its own id)',
    ]);
    // The same key under one id in two places is fine.
    expect(() =>
      parseConfig(withKeys(['old.key', 'new.key', 'same.key']), {
        baseDir: dir,
      }),
    ).not.toThrow();
  });

  it('rejects unknown engines, unknown tiers and misspelt fields with what to write instead', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          ...valid,
          targets: {
            a: { engine: 'oracle', path: '/x' },
            b: { engine: 'sqlite', path: '/x', tiers: ['offsite'] },
            c: { engine: 'directory', pth: '/x', path: '/y' },
          },
        },
        { baseDir: dir },
      ),
    );
    expect(problems).toEqual([
      `targets.a.engine: "oracle" is not an engine this agent supports; use one of ${supportedEngines().join(
        ', ',
      )}`,
      'targets.b.tiers.0: "offsite" is not a storage tier; use one of local (defined under storage)',
      'targets.c.pth: unknown field: check its spelling against docs/agent.md or remove it',
    ]);
  });

  it('refuses a plain secret in the config without repeating it', () => {
    const secret = 'hunter2-very-secret';
    const error = (() => {
      try {
        parseConfig(
          { ...valid, agent: { name: 'a', token: secret } },
          { baseDir: dir },
        );
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.message).toMatch(
      /agent\.token: must be a reference to a secret/,
    );
    expect(error.message).toContain('{ env: VARIABLE_NAME }');
    expect(error.message).not.toContain(secret);
  });

  it('resolves secrets at use: a missing variable is named, a set one never appears in errors', () => {
    const config = parseConfig(
      {
        ...valid,
        storage: {
          ...valid.storage,
          offsite: {
            type: 's3',
            bucket: 'backups',
            accessKeyId: { env: 'SAFEKEEP_TEST_S3_KEY' },
            secretAccessKey: { file: './s3-secret' },
          },
        },
      },
      { baseDir: dir },
    );
    delete process.env.SAFEKEEP_TEST_TOKEN;
    expect(() => resolveSecret(config.agent.token)).toThrow(
      'agent.token: environment variable SAFEKEEP_TEST_TOKEN is not set',
    );
    process.env.SAFEKEEP_TEST_TOKEN = 'tok-123';
    expect(resolveSecret(config.agent.token)).toBe('tok-123');
    delete process.env.SAFEKEEP_TEST_TOKEN;

    const offsite = config.storage.offsite;
    if (offsite.type !== 's3' || !offsite.secretAccessKey)
      throw new Error('expected s3 storage');
    expect(() => resolveSecret(offsite.secretAccessKey!)).toThrow(
      `storage.offsite.secretAccessKey: cannot read secret file ${path.join(
        dir,
        's3-secret',
      )} (ENOENT)`,
    );
    fs.writeFileSync(path.join(dir, 's3-secret'), 'shh-its-secret\n');
    expect(resolveSecret(offsite.secretAccessKey)).toBe('shh-its-secret');
  });

  it('requires both S3 credentials or neither', () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          ...valid,
          storage: {
            s3: { type: 's3', bucket: 'backups', accessKeyId: { env: 'K' } },
          },
        },
        { baseDir: dir },
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^storage\.s3\.secretAccessKey: required when the other S3 credential is given/,
      ),
    ]);
  });

  it('says which file is missing and how to point at it', () => {
    const missing = path.join(dir, 'nope.yaml');
    expect(() => loadConfig(missing)).toThrow(
      `${missing} is not valid:\n  - cannot be read (ENOENT); pass --config`,
    );
  });

  it('reports YAML syntax errors with the line', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'agent:\n  name: [unclosed\n');
    expect(() => loadConfig(file)).toThrow(/YAML syntax error at line \d+/);
  });
});
