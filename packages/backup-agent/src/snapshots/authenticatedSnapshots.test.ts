import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { craftSnapshot } from '../testing/craftSnapshot';
import { useTempDir } from '../testing/tempDir';
import { TEST_TOKEN_ENV, testConfig } from '../testing/testConfig';
import { verifyProblems } from './verifySnapshot';
import { SnapshotService } from './SnapshotService';

const MANIFEST_KEY_ENV = 'SAFEKEEP_TEST_MANIFEST_KEY';
const BACKUP_KEY_ENV = 'SAFEKEEP_TEST_AUTH_BACKUP_KEY';

function createDatabase(file: string, rows: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
  for (let i = 0; i < rows; i++) insert.run(`note ${i}`);
  db.close();
}

const countNotes = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }
    ).n;
  } finally {
    db.close();
  }
};

/**
 * Whoever can write a storage tier, but not read the agent's config: they rewrite
 * MANIFEST.json (drop an artifact, forge one from scratch) or swap an encrypted target's
 * snapshot for a plain one. Nothing of it may verify or be restored.
 */
describe('authenticated snapshots', () => {
  const tempDir = useTempDir();
  let dir: string;

  beforeEach(() => {
    dir = tempDir();
    process.env[TEST_TOKEN_ENV] = 'token';
    process.env[MANIFEST_KEY_ENV] = randomBytes(32).toString('hex');
    process.env[BACKUP_KEY_ENV] = randomBytes(32).toString('hex');
    createDatabase(path.join(dir, 'data/app.db'), 20);
  });

  function service(extra: Record<string, unknown> = {}) {
    return new SnapshotService(
      testConfig(
        dir,
        { app: { engine: 'sqlite', path: './data/app.db' } },
        {
          local: {
            type: 'filesystem',
            path: './snapshots',
            manifestKey: { env: MANIFEST_KEY_ENV },
          },
        },
        extra,
      ),
    );
  }

  const manifestFile = (location: string) =>
    path.join(fileURLToPath(location), 'MANIFEST.json');

  it('a sound snapshot verifies and restores', async () => {
    const agent = service();
    const { snapshots } = await agent.backup('app');
    expect((await agent.verify('app', snapshots[0].id)).ok).toBe(true);
    const manifest = JSON.parse(
      fs.readFileSync(manifestFile(snapshots[0].location), 'utf8'),
    );
    expect(manifest.authentication).toEqual({
      algorithm: 'hmac-sha256',
      mac: expect.stringMatching(/^[a-f0-9]{64}$/),
    });
  });

  it('refuses a manifest with an artifact entry removed: verify fails, restore changes nothing', async () => {
    const agent = service();
    await craftSnapshot({
      service: agent,
      target: 'app',
      engine: 'sqlite',
      id: '20260118T040000Z',
      artifacts: [
        {
          name: 'app.db',
          stream: fs.createReadStream(path.join(dir, 'data/app.db')),
        },
        { name: 'audit.log', stream: Readable.from(['who did what']) },
      ],
    });
    const file = path.join(dir, 'snapshots/app/20260118T040000Z/MANIFEST.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    manifest.artifacts = manifest.artifacts.slice(0, 1);
    fs.writeFileSync(file, JSON.stringify(manifest));

    const verify = await agent.verify('app', '20260118T040000Z');
    expect(verify.ok).toBe(false);
    expect(verifyProblems(verify).join('; ')).toContain(
      'MANIFEST.json failed authentication',
    );
    await expect(
      agent.restore('app', '20260118T040000Z', { force: true }),
    ).rejects.toThrow(/MANIFEST\.json failed authentication/);
  });

  it('refuses a manifest forged without the key, and one sealed under another key', async () => {
    const agent = service();
    const { snapshots } = await agent.backup('app');
    const file = manifestFile(snapshots[0].location);
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    const { authentication: _removed, ...forged } = manifest;
    fs.writeFileSync(file, JSON.stringify(forged));
    await expect(
      agent.restore('app', snapshots[0].id, { force: true }),
    ).rejects.toThrow(/MANIFEST\.json is not authenticated/);

    fs.writeFileSync(file, JSON.stringify(manifest));
    process.env[MANIFEST_KEY_ENV] = randomBytes(32).toString('hex');
    const other = service();
    await expect(
      other.restore('app', snapshots[0].id, { force: true }),
    ).rejects.toThrow(/MANIFEST\.json failed authentication/);
    expect(countNotes(path.join(dir, 'data/app.db'))).toBe(20);
  });

  it('refuses a short manifest key, naming the field and never the key', async () => {
    process.env[MANIFEST_KEY_ENV] = 'short-key';
    await expect(service().backup('app')).rejects.toThrow(
      'storage.local.manifestKey: the manifest key is 9 characters long; use at least 32 (openssl rand -hex 32)',
    );
  });

  it('an encrypted target refuses a snapshot of unencrypted artifacts, and its data stays', async () => {
    const agent = service({
      defaults: {
        encryption: { keyId: 'prod-2026', key: { env: BACKUP_KEY_ENV } },
      },
    });
    await agent.backup('app');
    // The attacker's database, stored as a plain artifact: here under a key they could not have,
    // so only the missing encryption tells it apart.
    createDatabase(path.join(dir, 'evil/app.db'), 3);
    await craftSnapshot({
      service: agent,
      target: 'app',
      engine: 'sqlite',
      id: '20991231T000000Z',
      artifacts: [
        {
          name: 'app.db',
          stream: fs.createReadStream(path.join(dir, 'evil/app.db')),
        },
      ],
    });
    await expect(
      agent.restore('app', '20991231T000000Z', { force: true }),
    ).rejects.toThrow(
      'target "app" is encrypted (key prod-2026), but snapshot 20991231T000000Z holds unencrypted artifact(s) app.db.zst',
    );
    expect((await agent.verify('app', '20991231T000000Z')).ok).toBe(false);
    expect(countNotes(path.join(dir, 'data/app.db'))).toBe(20);
  });
});
