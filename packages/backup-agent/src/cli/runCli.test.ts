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
  const code = await runCli(args, {
    stdout: t => (stdout += t),
    stderr: t => (stderr += t),
  });
  return { code, stdout, stderr };
}

describe('safekeep-agent CLI', () => {
  const tempDir = useTempDir();

  function setup() {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'app.db'));
    db.exec(
      "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('one'), ('two');",
    );
    db.close();
    return { dir, config: writeConfig(dir) };
  }

  it('backs up, lists, verifies and restores, with --json for machines', async () => {
    const { dir, config } = setup();
    const backup = await run([
      'backup',
      '--config',
      config,
      '--target',
      'app',
      '--json',
    ]);
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    const result = JSON.parse(backup.stdout);
    expect(result).toMatchObject({
      ok: true,
      details: { tables: { notes: 2 } },
    });
    const id: string = result.snapshots[0].id;

    const list = await run(['list', '--config', config, '--json']);
    expect(JSON.parse(list.stdout).map((s: { id: string }) => s.id)).toEqual([
      id,
    ]);
    const human = await run(['list', '--config', config]);
    expect(human.stdout).toMatch(
      new RegExp(`^app  ${id}  local  .* sha256 [0-9a-f]{16}…  file://`),
    );

    const verify = await run([
      'verify',
      '--config',
      config,
      '--target',
      'app',
      '--snapshot',
      id,
    ]);
    expect(verify).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('local: OK'),
    });

    const refused = await run([
      'restore',
      '--config',
      config,
      '--target',
      'app',
      '--snapshot',
      id,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^safekeep-agent: the destination is not empty: SQLite database .* restore with --force/,
    );

    const elsewhere = path.join(dir, 'copy.db');
    const restored = await run([
      'restore',
      '--config',
      config,
      '--target',
      'app',
      '--snapshot',
      id,
      '--to',
      elsewhere,
    ]);
    expect(restored).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`into SQLite database ${elsewhere}`),
    });
    expect(restored.stdout).toContain('check: matches the backup');

    const prune = await run([
      'prune',
      '--config',
      config,
      '--target',
      'app',
      '--retention',
      'keep-last=1',
      '--dry-run',
    ]);
    expect(prune.stdout).toContain(`local: keeps 1, would remove 0`);
  });

  it('restores a snapshot of one target into another with --from (a staging copy), verified first', async () => {
    const dir = tempDir();
    const db = new Database(path.join(dir, 'app.db'));
    db.exec(
      "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('one'), ('two'), ('three');",
    );
    db.close();
    const config = writeConfig(
      dir,
      '  app-staging: { engine: sqlite, path: ./staging-copy/app.db }',
    );
    const id: string = JSON.parse(
      (await run(['backup', '--config', config, '--target', 'app', '--json']))
        .stdout,
    ).snapshots[0].id;

    const verify = await run([
      'verify',
      '--config',
      config,
      '--target',
      'app-staging',
      '--from',
      'app',
      '--snapshot',
      id,
    ]);
    expect(verify.code).toBe(0);
    const restored = await run([
      'restore',
      '--config',
      config,
      '--target',
      'app-staging',
      '--from',
      'app',
      '--snapshot',
      id,
    ]);
    expect(restored).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('check: matches the backup'),
    });
    const copy = new Database(path.join(dir, 'staging-copy/app.db'), {
      readonly: true,
    });
    expect(copy.prepare('SELECT COUNT(*) AS n FROM notes').get()).toEqual({
      n: 3,
    });
    copy.close();

    const itself = await run([
      'restore',
      '--config',
      config,
      '--target',
      'app',
      '--from',
      'app',
      '--snapshot',
      id,
    ]);
    expect(itself).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--from names the target itself'),
    });
    const noSuch = await run([
      'restore',
      '--config',
      config,
      '--target',
      'app-staging',
      '--from',
      'billing',
      '--snapshot',
      id,
    ]);
    expect(noSuch.code).toBe(1);
    expect(noSuch.stderr).toContain(
      `snapshot ${id} of target "billing" was not found`,
    );
  });

  it('reports progress as JSON lines when asked, lists artifacts with checksums, and says why prune would remove a snapshot', async () => {
    const { config } = setup();
    const first = await run([
      'backup',
      '--config',
      config,
      '--target',
      'app',
      '--json',
      '--progress',
      'json',
    ]);
    expect(first.code).toBe(0);
    const events = first.stderr
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(events.map(e => e.phase)).toEqual(
      expect.arrayContaining([
        'starting',
        'dumping',
        'writing manifest',
        'done',
      ]),
    );
    expect(events.find(e => e.phase === 'done')).toMatchObject({
      bytes: expect.any(Number),
      bytesPerSecond: expect.any(Number),
    });
    const result = JSON.parse(first.stdout);
    expect(result.elapsedSeconds).toBeGreaterThan(0);
    const [artifact] = result.snapshots[0].artifacts;

    await new Promise(resolve => setTimeout(resolve, 1100)); // a new snapshot id (one per second)
    const second = JSON.parse(
      (await run(['backup', '--config', config, '--target', 'app', '--json']))
        .stdout,
    );

    const list = await run(['list', '--config', config, '--target', 'app']);
    expect(list.stdout).toContain(`    ${artifact.name}  `);
    expect(list.stdout).toContain(`sha256 ${artifact.sha256}`);

    const prune = await run([
      'prune',
      '--config',
      config,
      '--target',
      'app',
      '--retention',
      'keep-last=1',
      '--dry-run',
    ]);
    expect(prune.stdout).toContain(
      `  keep    ${second.snapshots[0].id} (last)`,
    );
    expect(prune.stdout).toContain(
      `  prune?  ${result.snapshots[0].id} (no rule of "keep-last=1" keeps it, and no kept snapshot depends on it)`,
    );
  });

  it('exits 2 with the field and the fix on config and usage errors', async () => {
    const dir = tempDir();
    const config = writeConfig(dir, '  broken: { engine: sqlite }');
    const bad = await run(['list', '--config', config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'targets.broken.path: required: the SQLite database file to back up',
    );

    const { config: good } = setup();
    const retention = await run([
      'prune',
      '--config',
      good,
      '--target',
      'app',
      '--retention',
      'keep-forever',
    ]);
    expect(retention.code).toBe(2);
    expect(retention.stderr).toContain(
      '--retention: "keep-forever" is not of the form rule=value',
    );

    const missing = await run(['backup', '--config', good]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('give either --target or --group');
  });

  describe('restore --group (no Docker Engine: everything before the containers)', () => {
    const GROUP = [
      '  files: { engine: directory, path: ./files }',
      'docker: { socketPath: ./no-docker.sock }',
      'groups:',
      '  shop: { containers: [shop-web], targets: [app, files] }',
    ].join('\n');

    function setupGroup() {
      const { dir } = setup();
      fs.mkdirSync(path.join(dir, 'files'));
      fs.writeFileSync(path.join(dir, 'files/a.txt'), 'alpha');
      return { dir, config: writeConfig(dir, GROUP) };
    }

    it('refuses a group with a member that has no snapshot, naming it, and exits 2 on bad flags', async () => {
      const { config } = setupGroup();
      const id = JSON.parse(
        (await run(['backup', '--config', config, '--target', 'app', '--json']))
          .stdout,
      ).snapshots[0].id;

      const refused = await run([
        'restore',
        '--config',
        config,
        '--group',
        'shop',
        '--force',
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'safekeep-agent: all service backups are required: target files of group "shop" has no complete snapshot',
      );

      const usage = async (args: string[], message: string) => {
        const result = await run(['restore', '--config', config, ...args]);
        expect(result).toMatchObject({
          code: 2,
          stderr: expect.stringContaining(message),
        });
      };
      await usage(
        ['--group', 'shop', '--target', 'app'],
        'give either --target or --group',
      );
      await usage(
        ['--group', 'shop', '--snapshot', id],
        `--snapshot "${id}": with --group, name the member: --snapshot <target>=<snapshot id>`,
      );
      await usage(
        ['--group', 'shop', '--snapshot', 'app=last-night'],
        '"last-night" is not a snapshot id such as 20260118T040000Z',
      );
      await usage(
        ['--group', 'shop', '--snapshot', `app=${id}`, '--window', id],
        'give either --snapshot <target>=<id> for every member or --window, not both',
      );
      await usage(
        ['--group', 'shop', '--window', 'yesterday'],
        '--window: the time "yesterday" is not a snapshot id (20260118T040000Z) or a UTC time',
      );
      await usage(
        ['--group', 'shop', '--window', '2026-01-18T04:00:00'],
        'is not a snapshot id (20260118T040000Z) or a UTC time',
      );
      await usage(
        ['--group', 'shop', '--window', '20260119T000000Z/20260118T000000Z'],
        '--window: the end 20260118T000000Z is before the start 20260119T000000Z',
      );
      await usage(
        ['--group', 'shop', '--to', './elsewhere'],
        'a group is restored in place: --to is for --target',
      );
      await usage(
        ['--target', 'app', '--window', id],
        '--window is for --group',
      );
    });

    it('--dry-run checks every member and the containers, exits 1 on any refusal, and writes nothing', async () => {
      const { dir, config } = setupGroup();
      const app = JSON.parse(
        (await run(['backup', '--config', config, '--target', 'app', '--json']))
          .stdout,
      ).snapshots[0].id;
      const files = JSON.parse(
        (
          await run([
            'backup',
            '--config',
            config,
            '--target',
            'files',
            '--json',
          ])
        ).stdout,
      ).snapshots[0].id;
      fs.writeFileSync(path.join(dir, 'files/b.txt'), 'bravo');

      // The two were backed up one after the other: a FROM/TO window holds both.
      const human = await run([
        'restore',
        '--config',
        config,
        '--group',
        'shop',
        '--window',
        `${app}/${files}`,
        '--dry-run',
      ]);
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(
        'group shop: its containers cannot be found',
      );
      expect(human.stdout).toContain(
        `app:\n  snapshot ${app} (tier local): every checksum matches`,
      );
      expect(human.stdout).toContain(
        `files:\n  snapshot ${files} (tier local): every checksum matches\n  destination folder ${path.join(
          dir,
          'files',
        )}: ${path.join(dir, 'files')} holds 2 entries`,
      );
      expect(human.stdout).toContain('  REFUSED: the destination is not empty');
      expect(human.stdout).toContain(
        'REFUSED: 3 check(s) refuse the group restore; nothing was stopped or written',
      );
      expect(human.stderr).toMatch(
        /safekeep-agent: group shop: the restore would be refused: target app \(snapshot .*\): the destination is not empty/,
      );

      const json = await run([
        'restore',
        '--config',
        config,
        '--group',
        'shop',
        '--snapshot',
        `app=${app}`,
        '--snapshot',
        `files=${files}`,
        '--force',
        '--dry-run',
        '--json',
      ]);
      expect(json.code).toBe(1);
      const result = JSON.parse(json.stdout);
      expect(result).toMatchObject({
        ok: false,
        details: {
          group: 'shop',
          containersToStop: null,
          members: [
            { target: 'app', snapshotId: app, refusals: [] },
            { target: 'files', snapshotId: files, refusals: [] },
          ],
        },
      });
      expect(result.details.refusals).toEqual([
        expect.stringMatching(
          /^cannot find the containers of group "shop", which the restore stops: no Docker Engine answers/,
        ),
      ]);
      expect(fs.readdirSync(path.join(dir, 'files')).sort()).toEqual([
        'a.txt',
        'b.txt',
      ]);
    });

    it('restore --target --dry-run says whether the restore would run, without writing', async () => {
      const { dir, config } = setup();
      const id = JSON.parse(
        (await run(['backup', '--config', config, '--target', 'app', '--json']))
          .stdout,
      ).snapshots[0].id;
      const refused = await run([
        'restore',
        '--config',
        config,
        '--target',
        'app',
        '--snapshot',
        id,
        '--dry-run',
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('REFUSED: the destination is not empty');
      const elsewhere = path.join(dir, 'copy.db');
      const fine = await run([
        'restore',
        '--config',
        config,
        '--target',
        'app',
        '--snapshot',
        id,
        '--to',
        elsewhere,
        '--dry-run',
      ]);
      expect(fine).toMatchObject({
        code: 0,
        stdout: expect.stringContaining(
          `destination SQLite database ${elsewhere}: ${elsewhere} does not exist`,
        ),
      });
      expect(fine.stdout).toContain('would restore: no check refuses');
      expect(fs.existsSync(elsewhere)).toBe(false);
    });
  });

  it('runs from bin/safekeep-agent as a real process', async () => {
    const { config } = setup();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [BIN, 'backup', '--config', config, '--target', 'app', '--json'],
      {
        env: { ...process.env, SAFEKEEP_CLI_TEST_TOKEN: 'unused-by-backup' },
      },
    );
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      snapshots: [{ target: 'app', tier: 'local' }],
    });

    const failure = await promisify(execFile)(process.execPath, [
      BIN,
      'serve',
      '--config',
      config,
    ]).catch(e => e);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain(
      'agent.token: environment variable SAFEKEEP_CLI_TEST_TOKEN is not set',
    );
  }, 60_000);
});
