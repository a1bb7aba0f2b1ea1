import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { useTempDir } from '../testing/tempDir';
import { runCli } from './runCli';

const BIN = path.resolve(__dirname, '../../bin/safekeep-agent');

function writeConfig(dir: string, extra = ''): string {
  const file = path.join(dir, 'agent.yaml');
  fs.writeFileSync(
    file,
    [
      'agent:',
      '  name: cli-test',
      '  token: { env: SAFEKEEP_CLI_TEST_TOKEN }',
      '  staging: ./staging',
      'storage:',
      '  local: { type: filesystem, path: ./snapshots }',
      'targets:',
      '  app: { engine: sqlite, path: ./app.db }',
      extra,
    ].join('\n'),
  );
  return file;
}

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: t => (stdout += t), stderr: t => (stderr += t) });
  return { code, stdout, stderr };
}

describe('safekeep-agent CLI', () => {
  const tempDir = useTempDir();

  function setup() {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'app.db'));
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('one'), ('two');");
    db.close();
    return { dir, config: writeConfig(dir) };
  }

  it('backs up, lists, verifies and restores, with --json for machines', async () => {
    const { dir, config } = setup();
    const backup = await run(['backup', '--config', config, '--target', 'app', '--json']);
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    const result = JSON.parse(backup.stdout);
    expect(result).toMatchObject({ ok: true, details: { tables: { notes: 2 } } });
    const id: string = result.snapshots[0].id;

    const list = await run(['list', '--config', config, '--json']);
    expect(JSON.parse(list.stdout).map((s: { id: string }) => s.id)).toEqual([id]);
    const human = await run(['list', '--config', config]);
    expect(human.stdout).toMatch(new RegExp(`^app  ${id}  local  .* sha256 [0-9a-f]{16}…  file://`));

    const verify = await run(['verify', '--config', config, '--target', 'app', '--snapshot', id]);
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringContaining('local: OK') });

    const refused = await run(['restore', '--config', config, '--target', 'app', '--snapshot', id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^safekeep-agent: the destination is not empty: SQLite database .* restore with --force/);

    const elsewhere = path.join(dir, 'copy.db');
    const restored = await run(['restore', '--config', config, '--target', 'app', '--snapshot', id, '--to', elsewhere]);
    expect(restored).toMatchObject({ code: 0, stdout: expect.stringContaining(`into SQLite database ${elsewhere}`) });
    expect(restored.stdout).toContain('check: matches the backup');

    const prune = await run(['prune', '--config', config, '--target', 'app', '--retention', 'keep-last=1', '--dry-run']);
    expect(prune.stdout).toContain(`local: keeps 1, would remove 0`);
  });

  it('reports progress as JSON lines when asked, lists artifacts with checksums, and says why prune would remove a snapshot', async () => {
    const { config } = setup();
    const first = await run(['backup', '--config', config, '--target', 'app', '--json', '--progress', 'json']);
    expect(first.code).toBe(0);
    const events = first.stderr.trim().split('\n').map(line => JSON.parse(line));
    expect(events.map(e => e.phase)).toEqual(expect.arrayContaining(['starting', 'dumping', 'writing manifest', 'done']));
    expect(events.find(e => e.phase === 'done')).toMatchObject({ bytes: expect.any(Number), bytesPerSecond: expect.any(Number) });
    const result = JSON.parse(first.stdout);
    expect(result.elapsedSeconds).toBeGreaterThan(0);
    const [artifact] = result.snapshots[0].artifacts;

    await new Promise(resolve => setTimeout(resolve, 1100)); // a new snapshot id (one per second)
    const second = JSON.parse((await run(['backup', '--config', config, '--target', 'app', '--json'])).stdout);

    const list = await run(['list', '--config', config, '--target', 'app']);
    expect(list.stdout).toContain(`    ${artifact.name}  `);
    expect(list.stdout).toContain(`sha256 ${artifact.sha256}`);

    const prune = await run(['prune', '--config', config, '--target', 'app', '--retention', 'keep-last=1', '--dry-run']);
    expect(prune.stdout).toContain(`  keep    ${second.snapshots[0].id} (last)`);
    expect(prune.stdout).toContain(
      `  prune?  ${result.snapshots[0].id} (no rule of "keep-last=1" keeps it, and no kept snapshot depends on it)`,
    );
  });

  it('exits 2 with the field and the fix on config and usage errors', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, '  broken: { engine: sqlite }');
    const bad = await run(['list', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('targets.broken.path: required: the SQLite database file to back up');

    const { config: good } = setup();
    const retention = await run(['prune', '--config', good, '--target', 'app', '--retention', 'keep-forever']);
    expect(retention.code).toBe(2);
    expect(retention.stderr).toContain('--retention: "keep-forever" is not of the form rule=value');

    const missing = await run(['backup', '--config', good]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('give either --target or --group');
  });

  it('runs from bin/safekeep-agent as a real process', async () => {
    const { config } = setup();
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'backup', '--config', config, '--target', 'app', '--json'], {
      env: { ...process.env, SAFEKEEP_CLI_TEST_TOKEN: 'unused-by-backup' },
    });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, snapshots: [{ target: 'app', tier: 'local' }] });

    const failure = await promisify(execFile)(process.execPath, [BIN, 'serve', '--config', config]).catch(e => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain('agent.token: environment variable SAFEKEEP_CLI_TEST_TOKEN is not set');
  }, 60_000);
});
