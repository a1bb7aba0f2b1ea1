import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import YAML from 'yaml';
import { runCli } from '../cli/runCli';
import { loadConfig } from '../config/loadConfig';
import { startAgentServer } from '../http/startAgentServer';
import { SnapshotService } from '../snapshots/SnapshotService';
import { craftSnapshot } from '../testing/craftSnapshot';
import {
  BUSYBOX_IMAGE,
  describeWithDocker,
  idleUntilStopped,
  removeTestResources,
  startTestContainer,
  testPrefix,
} from '../testing/dockerHarness';

jest.setTimeout(120_000);

const TOKEN_ENV = 'SAFEKEEP_TEST_GROUP_CLI_TOKEN';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: t => (stdout += t),
    stderr: t => (stderr += t),
  });
  return { code, stdout, stderr };
}

/**
 * The portal is down at 3 a.m.: the operator restores a whole group with the agent's CLI. The
 * group is a SQLite file and a folder used by an application container; only that container
 * needs the Docker Engine. The steps follow docs/restore.md, "By hand, with the agent's CLI".
 */
describeWithDocker(
  'safekeep-agent restore --group (real Docker Engine)',
  docker => {
    const prefix = testPrefix('group-cli');
    const web = `${prefix}-web`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-group-cli-'));
    const config = path.join(dir, 'agent.yaml');
    const state = async () => (await docker.getContainer(web).inspect()).State;
    const restore = (...args: string[]) =>
      run(['restore', '--config', config, ...args]);
    const rows = () => {
      const db = new Database(path.join(dir, 'app.db'), { readonly: true });
      const count = (
        db.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }
      ).n;
      db.close();
      return count;
    };
    const files = () => fs.readdirSync(path.join(dir, 'files')).sort();
    let backupId: string;

    beforeAll(async () => {
      process.env[TOKEN_ENV] = 'group-cli-test-token-0123456789-a7';
      const db = new Database(path.join(dir, 'app.db'));
      db.exec(
        "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('one'), ('two');",
      );
      db.close();
      fs.mkdirSync(path.join(dir, 'files'));
      fs.writeFileSync(path.join(dir, 'files/a.txt'), 'alpha');
      await startTestContainer(docker, {
        name: web,
        image: BUSYBOX_IMAGE,
        cmd: idleUntilStopped(),
      });
      fs.writeFileSync(
        config,
        YAML.stringify({
          agent: {
            name: 'group-cli-test',
            listen: { host: '127.0.0.1', port: 0 },
            token: { env: TOKEN_ENV },
            staging: './staging',
          },
          storage: { local: { type: 'filesystem', path: './snapshots' } },
          docker: { helperImage: BUSYBOX_IMAGE, stopTimeoutSeconds: 5 },
          targets: {
            app: { engine: 'sqlite', path: './app.db' },
            files: { engine: 'directory', path: './files' },
            never: { engine: 'directory', path: './never' },
          },
          groups: {
            shop: { containers: [web], targets: ['app', 'files'] },
            'shop-and-never': {
              containers: [web],
              targets: ['app', 'files', 'never'],
            },
          },
        }),
      );
      const backup = await run([
        'backup',
        '--config',
        config,
        '--group',
        'shop',
        '--json',
      ]);
      if (backup.code !== 0)
        throw new Error(
          `the group backup failed: ${backup.stdout}${backup.stderr}`,
        );
      backupId = JSON.parse(backup.stdout).snapshots[0].id;

      // What happened after the backup, which a restore undoes.
      const later = new Database(path.join(dir, 'app.db'));
      later.exec("INSERT INTO notes VALUES ('three')");
      later.close();
      fs.writeFileSync(path.join(dir, 'files/b.txt'), 'bravo');
    });
    afterAll(async () => {
      await removeTestResources(docker, prefix);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('--dry-run (CLI and HTTP) lists the container it would stop and the refusals, and stops and writes nothing', async () => {
      const before = await state();
      const refused = await restore('--group', 'shop', '--dry-run');
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain(`group shop: would stop ${web}`);
      expect(refused.stdout).toContain(
        `app:\n  snapshot ${backupId} (tier local): every checksum matches`,
      );
      expect(refused.stderr).toMatch(
        new RegExp(
          `group shop: the restore would be refused: target app \\(snapshot ${backupId}\\): the destination is not empty`,
        ),
      );

      const forced = await restore(
        '--group',
        'shop',
        '--window',
        backupId,
        '--force',
        '--dry-run',
        '--json',
      );
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout)).toMatchObject({
        ok: true,
        details: { containersToStop: [web], refusals: [] },
      });

      const agent = await startAgentServer(config, {
        port: 0,
        log: () => undefined,
      });
      try {
        const { body } = await request(agent.url)
          .post('/v1/group-restores')
          .set({ Authorization: `Bearer ${process.env[TOKEN_ENV]}` })
          .send({
            group: 'shop',
            snapshotIds: { app: backupId, files: backupId },
            force: true,
            dryRun: true,
          })
          .expect(200);
        expect(body).toMatchObject({
          group: 'shop',
          containersToStop: [web],
          excluded: [],
          refusals: [],
        });
        expect(agent.jobs.list()).toEqual([]);
      } finally {
        await agent.close();
      }

      // Never stopped (the same start), and the data after the backup is still there.
      const after = await state();
      expect(after.Running).toBe(true);
      expect(after.StartedAt).toBe(before.StartedAt);
      expect(rows()).toBe(3);
      expect(files()).toEqual(['a.txt', 'b.txt']);
    });

    it('refuses before stopping anything: an occupied destination without --force, a member without a snapshot', async () => {
      const before = await state();
      const occupied = await restore('--group', 'shop');
      expect(occupied.code).toBe(1);
      expect(occupied.stderr).toMatch(
        /^safekeep-agent: the destination is not empty: SQLite database .*app\.db.*restore with --force/m,
      );

      const missing = await restore('--group', 'shop-and-never', '--force');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(
        'safekeep-agent: all service backups are required: target never of group "shop-and-never" has no complete snapshot',
      );

      expect((await state()).StartedAt).toBe(before.StartedAt);
      expect(rows()).toBe(3);
    });

    it('a member failing leaves the container stopped and says so (exit 1); after docker start the newest common window restores all', async () => {
      // A files snapshot that passes every check and fails while restoring: an absolute path in the archive.
      const victim = path.join(dir, 'victim.txt');
      fs.writeFileSync(victim, 'outside');
      const evil = path.join(dir, 'evil.tar');
      execFileSync('tar', ['-cPf', evil, victim]);
      fs.rmSync(victim);
      await craftSnapshot({
        service: new SnapshotService(loadConfig(config)),
        target: 'files',
        engine: 'directory',
        id: '20260101T000000Z',
        artifacts: [{ name: 'files.tar', stream: fs.createReadStream(evil) }],
        // Started when its id says: an old snapshot, outside the newest window.
        manifest: {
          started_at: '2026-01-01T00:00:00.000Z',
          finished_at: '2026-01-01T00:00:01.000Z',
        },
      });

      const failed = await restore(
        '--group',
        'shop',
        '--snapshot',
        `app=${backupId}`,
        '--snapshot',
        'files=20260101T000000Z',
        '--force',
      );
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain(
        `  app  ${backupId}  restored  check: matches the backup`,
      );
      expect(failed.stdout).toContain(
        '  files  20260101T000000Z  failed: the archive is unsafe and was not restored',
      );
      expect(failed.stdout).toContain(`containers: ${web} stopped`);
      expect(failed.stdout).toMatch(
        /NOTE: containers were left stopped on purpose .*app was restored, no other member not; fix the cause/,
      );
      expect(failed.stderr).toContain(
        'safekeep-agent: group shop: restoring target files (snapshot 20260101T000000Z) failed: the archive is unsafe',
      );
      expect((await state()).Running).toBe(false);
      expect(fs.existsSync(victim)).toBe(false);

      // The operator starts the application again (as the note says), then restores the newest window.
      await docker.getContainer(web).start();
      const startedBefore = (await state()).StartedAt;
      const good = await restore(
        '--group',
        'shop',
        '--force',
        '--progress',
        'json',
      );
      expect(good.code).toBe(0);
      expect(good.stdout).toContain(
        `  app  ${backupId}  restored  check: matches the backup`,
      );
      expect(good.stdout).toContain(
        `  files  ${backupId}  restored  check: matches the backup`,
      );
      expect(good.stdout).toContain(`containers: ${web} running`);
      const phases = good.stderr
        .trim()
        .split('\n')
        .map(line => JSON.parse(line).phase);
      expect(phases).toEqual(
        expect.arrayContaining([
          'choosing snapshots',
          'app: verifying',
          'stopping 1 container(s)',
          'starting 1 container(s)',
          'done',
        ]),
      );
      const now = await state();
      expect(now.Running).toBe(true);
      expect(now.StartedAt).not.toBe(startedBefore);
      expect(rows()).toBe(2);
      expect(files()).toEqual(['a.txt']);
    });
  },
  [BUSYBOX_IMAGE],
);
