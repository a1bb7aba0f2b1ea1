import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { parseConfig } from '../config/loadConfig';
import { ConfigError } from '../config/ConfigError';
import { runCli } from '../cli/runCli';
import { listFiles, useTempDir } from '../testing/tempDir';
import { TEST_TOKEN_ENV } from '../testing/testConfig';
import { RestoreRefusedError } from './errors';
import { SnapshotService } from './SnapshotService';

jest.setTimeout(60_000);

const KEY_ENV = 'SAFEKEEP_TEST_BACKUP_KEY';

function createDatabase(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
  for (let i = 0; i < 2000; i++)
    insert.run(`confidential note ${i} ${randomBytes(40).toString('hex')}`);
  db.close();
}

function countNotes(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

const sha256 = (data: Buffer) =>
  createHash('sha256').update(data).digest('hex');

describe('client-side encryption', () => {
  const tempDir = useTempDir();
  let key: string;

  beforeEach(() => {
    key = randomBytes(32).toString('hex');
    process.env[KEY_ENV] = key;
    process.env[TEST_TOKEN_ENV] = 'token';
  });
  afterEach(() => {
    delete process.env[KEY_ENV];
  });

  function setup(
    encryption: Record<string, unknown> = {
      keyId: 'test-2026',
      key: { env: KEY_ENV },
    },
  ) {
    const dir = tempDir();
    createDatabase(path.join(dir, 'data/app.db'));
    fs.mkdirSync(path.join(dir, 'files/sub'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'files/secret.txt'),
      'confidential file content\n',
    );
    fs.writeFileSync(
      path.join(dir, 'files/sub/blob.bin'),
      randomBytes(3 * 1024 * 1024),
    );
    const raw = {
      agent: {
        name: 'test-agent',
        token: { env: TEST_TOKEN_ENV },
        staging: './staging',
      },
      // Whole files: these tests decrypt and change stored files by hand (chunks: src/chunks).
      storage: {
        local: { type: 'filesystem', path: './snapshots', format: 'whole' },
      },
      defaults: { encryption },
      targets: {
        app: { engine: 'sqlite', path: './data/app.db' },
        files: { engine: 'directory', path: './files' },
        plain: { engine: 'directory', path: './files', encryption: false },
      },
    };
    const config = parseConfig(raw, { baseDir: dir });
    return { dir, raw, service: new SnapshotService(config) };
  }

  /** Changes a stored artifact and rewrites the manifest with its new sha256 and size, as an attacker with write access could. */
  function rewriteArtifact(
    dir: string,
    target: string,
    id: string,
    change: (bytes: Buffer) => Buffer,
  ): void {
    const folder = path.join(dir, 'snapshots', target, id);
    const manifestFile = path.join(folder, 'MANIFEST.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    const artifact = manifest.artifacts[0];
    const changed = change(fs.readFileSync(path.join(folder, artifact.name)));
    fs.writeFileSync(path.join(folder, artifact.name), changed);
    artifact.sha256 = sha256(changed);
    artifact.bytes = changed.length;
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  }

  it('stores a sqlite database and a folder encrypted, and restores both', async () => {
    const { dir, service } = setup();
    const app = await service.backup('app');
    const files = await service.backup('files');
    const [appArtifact] = app.manifest.artifacts;
    expect(appArtifact).toMatchObject({
      name: 'app.db.zst.enc',
      compression: 'zstd',
      encryption: {
        algorithm: 'aes-256-gcm-chunked',
        key_id: 'test-2026',
        chunk_bytes: 1024 * 1024,
      },
    });
    expect(files.manifest.artifacts[0].name).toBe('files.tar.zst.enc');
    // Neither the key nor readable content is in the snapshot folder.
    const stored = listFiles(path.join(dir, 'snapshots')).map(file => ({
      file,
      bytes: fs.readFileSync(path.join(dir, 'snapshots', file)),
    }));
    expect(
      stored.filter(s => s.bytes.includes(Buffer.from(key))).map(s => s.file),
    ).toEqual([]);
    const encrypted = stored.filter(s => s.file.endsWith('.enc'));
    expect(encrypted).toHaveLength(2);
    expect(
      encrypted
        .filter(s => s.bytes.includes(Buffer.from('confidential')))
        .map(s => s.file),
    ).toEqual([]);
    // zstd's magic number would be the first bytes of a plain .zst.
    expect(
      encrypted.map(s => s.bytes.subarray(0, 8).toString('latin1')),
    ).toEqual(['SKGCM1\r\n', 'SKGCM1\r\n']);
    const plain = await service.backup('plain');
    expect(plain.manifest.artifacts[0]).toMatchObject({
      name: 'files.tar.zst',
      encryption: null,
    });

    const db = await service.restore('app', app.snapshots[0].id, {
      destination: path.join(dir, 'restored/app.db'),
    });
    expect(db.differences).toEqual([]);
    expect(countNotes(path.join(dir, 'restored/app.db'))).toBe(2000);
    const tree = await service.restore('files', files.snapshots[0].id, {
      destination: path.join(dir, 'restored/files'),
    });
    expect(tree.differences).toEqual([]);
    expect(
      fs
        .readFileSync(path.join(dir, 'restored/files/sub/blob.bin'))
        .equals(fs.readFileSync(path.join(dir, 'files/sub/blob.bin'))),
    ).toBe(true);

    const verified = await service.verify('app', app.snapshots[0].id);
    expect(verified.ok).toBe(true);
    expect(verified.tiers[0].artifacts[0].note).toBeUndefined();
  });

  it('can be decrypted by hand with the decrypt command and zstd, as the README says', async () => {
    const { dir, service } = setup();
    const { snapshots, manifest } = await service.backup('app');
    const folder = path.join(dir, 'snapshots/app', snapshots[0].id);
    const readme = fs.readFileSync(path.join(folder, 'README.md'), 'utf8');
    expect(readme).toContain(
      'safekeep-agent decrypt --key-file KEY_FILE < app.db.zst.enc | zstd -dc',
    );
    expect(readme).toContain('with the key `test-2026`');
    // The README's checksum step still works on the encrypted bytes.
    execFileSync('sha256sum', ['-c'], {
      cwd: folder,
      input: `${manifest.artifacts[0].sha256}  app.db.zst.enc\n`,
    });

    const keyFile = path.join(dir, 'key.hex');
    fs.writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', c => chunks.push(c));
    const stderr: string[] = [];
    const code = await runCli(['decrypt', '--key-file', keyFile], {
      stdout: () => undefined,
      stderr: t => stderr.push(t),
      binaryIn: fs.createReadStream(path.join(folder, 'app.db.zst.enc')),
      binaryOut: out,
    });
    expect({ code, stderr }).toEqual({ code: 0, stderr: [] });
    fs.writeFileSync(
      path.join(dir, 'by-hand.db'),
      execFileSync('zstd', ['-dc'], { input: Buffer.concat(chunks) }),
    );
    expect(countNotes(path.join(dir, 'by-hand.db'))).toBe(2000);

    // A wrong key file: refused, exit 1, and the message says so.
    fs.writeFileSync(keyFile, randomBytes(32).toString('hex'));
    const refused: string[] = [];
    const wrong = await runCli(['decrypt', '--key-file', keyFile], {
      stdout: () => undefined,
      stderr: t => refused.push(t),
      binaryIn: fs.createReadStream(path.join(folder, 'app.db.zst.enc')),
      binaryOut: new PassThrough().resume(),
    });
    expect(wrong).toBe(1);
    expect(refused.join('')).toMatch(
      /encrypted with key "test-2026", and the key given as .* is a different key/,
    );
  });

  it('refuses ciphertext changed together with its sha256 in the manifest, before touching the destination', async () => {
    const { dir, service } = setup();
    const { snapshots } = await service.backup('app');
    rewriteArtifact(dir, 'app', snapshots[0].id, bytes => {
      const changed = Buffer.from(bytes);
      changed[Math.floor(changed.length / 2)] ^= 0x40;
      return changed;
    });
    // The checksum alone would pass now: verify without the key only sees sha256.
    const destination = path.join(dir, 'restored/app.db');
    const attempt = service.restore('app', snapshots[0].id, { destination });
    await expect(attempt).rejects.toThrow(RestoreRefusedError);
    await expect(attempt).rejects.toThrow(
      /the snapshot failed verification, nothing was changed: .*app\.db\.zst\.enc: .*chunk \(?0\)? failed authentication \(AES-256-GCM\)/,
    );
    expect(fs.existsSync(destination)).toBe(false);
    expect((await service.verify('app', snapshots[0].id)).ok).toBe(false);
  });

  it('refuses a truncated artifact even with a matching manifest', async () => {
    const { dir, service } = setup();
    const { snapshots } = await service.backup('files');
    rewriteArtifact(dir, 'files', snapshots[0].id, bytes =>
      bytes.subarray(0, 68 + 9 + 1024 * 1024 + 16),
    ); // header + first chunk
    const destination = path.join(dir, 'restored/files');
    await expect(
      service.restore('files', snapshots[0].id, { destination }),
    ).rejects.toThrow(
      /nothing was changed: .*the last chunk \(0\) failed authentication .*cut short/,
    );
    expect(fs.existsSync(destination)).toBe(false);
  });

  it('refuses a wrong or missing key by its id, before touching the destination', async () => {
    const { dir, raw, service } = setup();
    const { snapshots } = await service.backup('app');
    const destination = path.join(dir, 'data/app.db'); // the target itself, with force

    process.env[KEY_ENV] = randomBytes(32).toString('hex');
    const before = fs.readFileSync(destination);
    await expect(
      service.restore('app', snapshots[0].id, { force: true }),
    ).rejects.toThrow(
      /encrypted with key "test-2026", and the key given as "test-2026" is a different key/,
    );
    expect(fs.readFileSync(destination).equals(before)).toBe(true);

    delete process.env[KEY_ENV];
    const missing = service.restore('app', snapshots[0].id, { force: true });
    await expect(missing).rejects.toMatchObject({ reason: 'key' });
    await expect(missing).rejects.toThrow(
      `snapshot ${snapshots[0].id} cannot be decrypted, nothing was changed: encryption key "test-2026" cannot be read: defaults.encryption.key: environment variable ${KEY_ENV} is not set`,
    );

    process.env[KEY_ENV] = key;
    const rotated = new SnapshotService(
      parseConfig(
        {
          ...raw,
          defaults: {
            encryption: {
              keyId: 'test-2027',
              key: { env: 'SAFEKEEP_TEST_OTHER_KEY' },
            },
          },
        },
        { baseDir: dir },
      ),
    );
    await expect(
      rotated.restore('app', snapshots[0].id, { force: true }),
    ).rejects.toThrow(
      'encryption key "test-2026" is not configured on this agent (it knows test-2027); add it to the config as encryption: { keyId: test-2026, key: { env | file } } or under encryption.previousKeys',
    );
    // With the old key kept under previousKeys the old snapshot restores again.
    const withPrevious = new SnapshotService(
      parseConfig(
        {
          ...raw,
          defaults: {
            encryption: {
              keyId: 'test-2027',
              key: { env: 'SAFEKEEP_TEST_OTHER_KEY' },
              previousKeys: [{ keyId: 'test-2026', key: { env: KEY_ENV } }],
            },
          },
        },
        { baseDir: dir },
      ),
    );
    expect(
      (await withPrevious.restore('app', snapshots[0].id, { force: true }))
        .differences,
    ).toEqual([]);
    expect(
      fs
        .readdirSync(path.join(dir, 'data'))
        .filter(f => !/^app\.db(-wal|-shm)?$/.test(f)),
    ).toEqual([]);
  });

  it('fails a backup whose key is missing before anything is stored', async () => {
    const { dir, service } = setup();
    delete process.env[KEY_ENV];
    await expect(service.backup('app')).rejects.toThrow(
      `encryption key "test-2026" cannot be read: defaults.encryption.key: environment variable ${KEY_ENV} is not set`,
    );
    expect(listFiles(path.join(dir, 'snapshots'))).toEqual([]);
    process.env[KEY_ENV] = 'too short';
    await expect(service.backup('app')).rejects.toThrow(
      /key "test-2026" must be 256 bits written as 64 hex characters/,
    );
    await expect(service.backup('app')).rejects.not.toThrow(/too short/);
  });

  it('refuses a key written into the config itself, without repeating it', () => {
    const parse = (encryption: unknown) =>
      parseConfig(
        {
          agent: { name: 'a', token: { env: TEST_TOKEN_ENV } },
          storage: { local: { type: 'filesystem', path: '/tmp/x' } },
          defaults: { encryption },
          targets: {
            app: {
              engine: 'sqlite',
              path: '/tmp/app.db',
              encryption: { keyId: 'bad id!', key: { env: KEY_ENV } },
            },
          },
        },
        { baseDir: '/' },
      );
    const secret = randomBytes(32).toString('hex');
    expect(parse).toThrow(ConfigError);
    let problems: string[] = [];
    let message = '';
    try {
      parse({ keyId: 'k', key: secret });
    } catch (error) {
      problems = (error as ConfigError).problems;
      message = (error as Error).message;
    }
    expect(message).toContain('defaults.encryption.key');
    expect(message).not.toContain(secret);
    expect(problems).toEqual([
      expect.stringMatching(
        /^defaults.encryption.key: must be a reference to a secret .*, not a plain value/,
      ),
      expect.stringMatching(
        /^targets.app.encryption.keyId: must be a name of letters, digits/,
      ),
    ]);
  });
});
