import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import { describeWithService } from '../testing/services';
import { useTempDir } from '../testing/tempDir';

jest.setTimeout(180_000);

const BIN = path.resolve(__dirname, '../../bin/safekeep-agent');
const TOKEN = 'leftovers-test-token-0123456789-a7';
const auth = { authorization: `Bearer ${TOKEN}` };

interface AgentProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
}

/** A real `safekeep-agent serve` process, as a service manager starts it. */
async function startAgent(config: string): Promise<AgentProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], {
    env: { ...process.env, SAFEKEEP_LEFTOVERS_TEST_TOKEN: TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 20);
    child.once('exit', code => {
      clearInterval(timer);
      reject(new Error(`the agent exited ${code}: ${stderr}`));
    });
  });
  return { url, child, stderr: () => stderr };
}

async function stop(agent: AgentProcess, signal: NodeJS.Signals) {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return;
  const exited = new Promise(resolve => agent.child.once('exit', resolve));
  agent.child.kill(signal);
  await exited;
}

async function waitFor(what: string, condition: () => boolean, ms = 60_000) {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 10));
  }
}

function filesBelow(root: string): Array<{ file: string; bytes: number }> {
  if (!fs.existsSync(root)) return [];
  return (
    (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[])
      .map(file => path.join(root, file))
      // A file the agent renames meanwhile (a temp file becoming the writer mark) is gone by now.
      .map(file => ({
        file,
        stat: fs.lstatSync(file, { throwIfNoEntry: false }),
      }))
      .filter(({ stat }) => stat?.isFile())
      .map(({ file, stat }) => ({ file, bytes: stat!.size }))
  );
}

/** Snapshot folders without MANIFEST.json, and the bytes below them. */
function incompleteSnapshots(snapshots: string) {
  const found: Array<{ name: string; bytes: number }> = [];
  if (!fs.existsSync(snapshots)) return found;
  for (const target of fs.readdirSync(snapshots)) {
    for (const id of fs.readdirSync(path.join(snapshots, target))) {
      const folder = path.join(snapshots, target, id);
      if (fs.existsSync(path.join(folder, 'MANIFEST.json'))) continue;
      found.push({
        name: `local/${target}/${id}`,
        bytes: filesBelow(folder).reduce((sum, f) => sum + f.bytes, 0),
      });
    }
  }
  return found;
}

async function listed(agent: AgentProcess): Promise<string[]> {
  const res = await fetch(`${agent.url}/v1/snapshots`, { headers: auth });
  const body = (await res.json()) as { snapshots: Array<{ id: string }> };
  return body.snapshots.map(s => s.id);
}

async function startBackup(agent: AgentProcess, target: string) {
  const res = await fetch(`${agent.url}/v1/backups`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ target }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

async function jobState(agent: AgentProcess, id: string) {
  const res = await fetch(`${agent.url}/v1/jobs/${id}`, { headers: auth });
  return (await res.json()) as { state: string; error?: string };
}

function writeConfig(dir: string, targets: string[]): string {
  const file = path.join(dir, 'agent.yaml');
  fs.writeFileSync(
    file,
    [
      'agent:',
      '  name: leftovers-test',
      '  listen: { host: 127.0.0.1, port: 0 }',
      '  token: { env: SAFEKEEP_LEFTOVERS_TEST_TOKEN }',
      '  staging: ./staging',
      'storage:',
      // Whole files: the kills wait for a half-stored `.partial` artifact in the snapshot
      // folder. A killed chunked backup's packs are prune's (src/chunks/pruneChunks.test.ts).
      '  local: { type: filesystem, path: ./snapshots, format: whole }',
      'targets:',
      ...targets,
    ].join('\n'),
  );
  return file;
}

/** What the next start logged about leftovers, as numbers. */
function cleanupLine(stderr: string) {
  const line = /leftovers at start: .*/.exec(stderr)?.[0] ?? '';
  const numbers = (re: RegExp) => {
    const m = re.exec(line);
    return m ? m.slice(1).map(Number) : undefined;
  };
  return {
    line,
    snapshots: numbers(
      /removed (\d+) incomplete snapshot\(s\) \([^,]+, (\d+) bytes/,
    ),
    staging: numbers(/(\d+) partial staging file\(s\) \([^,]+, (\d+) bytes/),
    credentials: numbers(/(\d+) credential file\(s\)/)?.[0],
  };
}

describe('leftovers of a SIGKILLed agent, cleaned at the next start', () => {
  const tempDir = useTempDir('safekeep-leftovers-test-');
  let agents: AgentProcess[] = [];

  afterEach(async () => {
    for (const agent of agents) await stop(agent, 'SIGKILL');
    agents = [];
  });

  it('a big folder and a SQLite database killed mid-backup: the next start removes the snapshot folders and the staging copy, nothing partial is ever listed', async () => {
    const dir = tempDir();
    // 192 MiB of incompressible files and a 48 MiB SQLite database.
    fs.mkdirSync(path.join(dir, 'files'));
    for (let i = 0; i < 48; i++)
      fs.writeFileSync(
        path.join(dir, `files/blob-${i}.bin`),
        randomBytes(4 * 1024 * 1024),
      );
    const db = new Database(path.join(dir, 'app.db'));
    db.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB)');
    const insert = db.prepare('INSERT INTO blobs (body) VALUES (?)');
    for (let i = 0; i < 768; i++) insert.run(randomBytes(64 * 1024));
    db.close();
    const config = writeConfig(dir, [
      '  files: { engine: directory, path: ./files }',
      '  app: { engine: sqlite, path: ./app.db }',
    ]);
    const staging = path.join(dir, 'staging');
    const snapshots = path.join(dir, 'snapshots');

    const first = await startAgent(config);
    agents.push(first);
    await startBackup(first, 'files');
    await startBackup(first, 'app');
    // Killed while the SQLite copy sits in staging and the folder's archive is half stored.
    await waitFor('a staging copy and a half-stored archive', () => {
      const copies = fs.existsSync(staging)
        ? fs.readdirSync(staging).filter(n => /^app-.*\.sqlite$/.test(n))
        : [];
      const partials = filesBelow(path.join(snapshots, 'files')).filter(
        f => f.file.endsWith('.partial') && f.bytes > 1024 * 1024,
      );
      return copies.length > 0 && partials.length > 0;
    });
    await stop(first, 'SIGKILL');

    const left = incompleteSnapshots(snapshots);
    expect(left.map(l => l.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^local\/files\//)]),
    );
    const stagingLeft = filesBelow(staging).filter(
      f => !/\.agent-.*\.lock$/.test(f.file),
    );
    expect(stagingLeft.length).toBeGreaterThan(0);

    const second = await startAgent(config);
    agents.push(second);
    const cleanup = cleanupLine(second.stderr());
    expect(cleanup.snapshots).toEqual([
      left.length,
      left.reduce((sum, l) => sum + l.bytes, 0),
    ]);
    expect(cleanup.staging).toEqual([
      stagingLeft.length,
      stagingLeft.reduce((sum, f) => sum + f.bytes, 0),
    ]);
    for (const l of left) expect(cleanup.line).toContain(l.name);
    expect(incompleteSnapshots(snapshots)).toEqual([]);
    // Only the running agent's own lock is left in staging.
    expect(fs.readdirSync(staging)).toEqual([
      expect.stringMatching(/^\.agent-\d+-[0-9a-f]{8}\.lock$/),
    ]);
    expect(await listed(second)).toEqual([]);

    // And the next backup runs as usual.
    const job = await startBackup(second, 'app');
    await waitFor('the backup after the restart', () => true);
    let state = await jobState(second, job);
    while (state.state === 'running') {
      await new Promise(resolve => setTimeout(resolve, 100));
      state = await jobState(second, job);
    }
    expect(state).toMatchObject({ state: 'succeeded' });
    expect(await listed(second)).toHaveLength(1);
    await stop(second, 'SIGTERM');
    expect(fs.readdirSync(staging)).toEqual([]);
  });

  it('leaves alone what another running agent writes, and removes only what an ended one left', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, [
      '  files: { engine: directory, path: ./files }',
    ]);
    fs.mkdirSync(path.join(dir, 'files'));
    const snapshots = path.join(dir, 'snapshots/files');
    const staging = path.join(dir, 'staging');
    fs.mkdirSync(staging, { recursive: true });
    // A process that runs throughout, standing for another agent (a CLI backup beside serve).
    const other = spawn('sleep', ['120']);
    try {
      const otherStart = fs
        .readFileSync(`/proc/${other.pid}/stat`, 'utf8')
        .split(') ')[1]
        .split(' ')[19];
      const host = require('node:os').hostname();
      const bootId = fs
        .readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')
        .trim();
      const mark = (pid: number, pidStart: string | undefined, h = host) =>
        JSON.stringify({
          host: h,
          bootId,
          pid,
          pidStart,
          startedAt: new Date(Date.now() - 60_000).toISOString(),
        });
      const now = new Date();
      const idAt = (msAgo: number) =>
        new Date(now.getTime() - msAgo)
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z')
          .replace(/[-:]/g, '');
      const folder = (id: string, writer?: string) => {
        fs.mkdirSync(path.join(snapshots, id), { recursive: true });
        fs.writeFileSync(
          path.join(snapshots, id, 'files.tar.zst.partial'),
          'x'.repeat(1000),
        );
        if (writer)
          fs.writeFileSync(
            path.join(snapshots, id, '.safekeep-writer.json'),
            writer,
          );
      };
      const liveId = idAt(5_000);
      const endedId = idAt(6_000);
      const reusedPidId = idAt(7_000);
      const youngUnmarkedId = idAt(8_000);
      const oldUnmarkedId = idAt(2 * 3600_000);
      const otherHostId = idAt(9_000);
      folder(liveId, mark(other.pid!, otherStart));
      folder(endedId, mark(2 ** 22 + 17, '1'));
      // The same pid as a running process, but another start time: the writer has ended.
      folder(reusedPidId, mark(other.pid!, `${otherStart}9`));
      folder(youngUnmarkedId);
      folder(oldUnmarkedId);
      folder(otherHostId, mark(4242, '1', 'another-host'));

      // Staging: the other agent's lock; files from before it started go, its own stay.
      fs.writeFileSync(
        path.join(staging, `.agent-${other.pid}-0badc0de.lock`),
        mark(other.pid!, otherStart),
      );
      const old = new Date(Date.now() - 120_000);
      const oldFiles = [
        '.secret-0123456789abcdef-pgpass',
        'app-3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d.sqlite',
        's3-part-0123456789ab-1',
        'cut-0123456789ab-files.tar',
      ];
      for (const name of oldFiles) {
        fs.writeFileSync(path.join(staging, name), 'old');
        fs.utimesSync(path.join(staging, name), old, old);
      }
      const othersFiles = [
        '.secret-fedcba9876543210-pgpass',
        'app-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee.sqlite',
      ];
      for (const name of othersFiles)
        fs.writeFileSync(path.join(staging, name), 'new');
      // Not the agent's: never touched, however old.
      fs.writeFileSync(path.join(staging, 'notes.txt'), 'someone else');
      fs.utimesSync(path.join(staging, 'notes.txt'), old, old);

      const goneBytes = [endedId, reusedPidId, oldUnmarkedId]
        .flatMap(id => filesBelow(path.join(snapshots, id)))
        .reduce((sum, f) => sum + f.bytes, 0);
      const agent = await startAgent(config);
      agents.push(agent);
      expect(fs.readdirSync(snapshots).sort()).toEqual(
        [liveId, youngUnmarkedId, otherHostId].sort(),
      );
      const cleanup = cleanupLine(agent.stderr());
      expect(cleanup.snapshots).toEqual([3, goneBytes]);
      expect(cleanup.staging).toEqual([3, 9]);
      expect(cleanup.credentials).toBe(1);
      expect(cleanup.line).toContain(
        `being written by the running process ${other.pid}`,
      );
      expect(cleanup.line).toContain('no writer mark and younger than an hour');
      expect(cleanup.line).toContain('being written on another-host');
      const stagingNow = fs
        .readdirSync(staging)
        .filter(n => !n.startsWith('.agent-'));
      expect(stagingNow.sort()).toEqual([...othersFiles, 'notes.txt'].sort());
      expect(await listed(agent)).toEqual([]);
    } finally {
      other.kill('SIGKILL');
    }
  });

  describeWithService(
    'SAFEKEEP_TEST_POSTGRES_URL',
    'a PostgreSQL backup killed mid-dump',
    rawUrl => {
      const url = new URL(rawUrl);
      const database = `safekeep_leftovers_${randomBytes(4).toString('hex')}`;
      const connect = (db: string) =>
        new Client({
          host: url.hostname,
          port: Number(url.port || 5432),
          user: decodeURIComponent(url.username || 'postgres'),
          password: url.password ? decodeURIComponent(url.password) : undefined,
          database: db,
        });

      beforeAll(async () => {
        const admin = connect(url.pathname.slice(1) || 'postgres');
        await admin.connect();
        await admin.query(`CREATE DATABASE ${database}`);
        await admin.end();
        const client = connect(database);
        await client.connect();
        // About 150 MB of rows that do not compress much: pg_dump runs for seconds.
        await client.query(
          `CREATE TABLE t AS SELECT g AS id, md5(g::text) || md5((g*7)::text) || md5((g*13)::text) AS body
             FROM generate_series(1, 1500000) g`,
        );
        await client.end();
      });

      afterAll(async () => {
        const admin = connect(url.pathname.slice(1) || 'postgres');
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await admin.end();
      });

      it('leaves a pgpass file and a manifest-less folder; the next start removes both and lists nothing partial', async () => {
        const dir = tempDir();
        process.env.SAFEKEEP_LEFTOVERS_TEST_PGPASSWORD =
          url.password || 'unused-with-trust-auth';
        const config = writeConfig(dir, [
          '  db:',
          '    engine: postgres',
          `    host: ${url.hostname}`,
          `    port: ${url.port || 5432}`,
          `    user: ${decodeURIComponent(url.username || 'postgres')}`,
          '    password: { env: SAFEKEEP_LEFTOVERS_TEST_PGPASSWORD }',
          `    databases: [${database}]`,
          '    globals: false',
        ]);
        const staging = path.join(dir, 'staging');
        const first = await startAgent(config);
        agents.push(first);
        await startBackup(first, 'db');
        await waitFor('pg_dump half way', () => {
          const secrets = fs.existsSync(staging)
            ? fs
                .readdirSync(staging)
                .filter(n => /^\.secret-.*-pgpass$/.test(n))
            : [];
          const partials = filesBelow(path.join(dir, 'snapshots/db')).filter(
            f => f.file.endsWith('.partial') && f.bytes > 256 * 1024,
          );
          return secrets.length > 0 && partials.length > 0;
        });
        await stop(first, 'SIGKILL');
        const left = incompleteSnapshots(path.join(dir, 'snapshots'));
        expect(left).toHaveLength(1);

        const second = await startAgent(config);
        agents.push(second);
        const cleanup = cleanupLine(second.stderr());
        expect(cleanup.snapshots).toEqual([1, left[0].bytes]);
        expect(cleanup.credentials).toBeGreaterThanOrEqual(1);
        expect(incompleteSnapshots(path.join(dir, 'snapshots'))).toEqual([]);
        expect(
          fs.readdirSync(staging).filter(n => n.startsWith('.secret-')),
        ).toEqual([]);
        expect(await listed(second)).toEqual([]);
      });
    },
  );
});
