// What a platform engineer would run instead of the agent, each timed as one command:
// the bare dump, pg_dump piped into restic and into borg, the seeds' runbook way, pg_restore.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { commandExists, log, run, shell, timed } from './processes.mjs';

/** restic and borg from Debian's packages, installed when missing (the bench runs as root here). */
export async function ensurePeerTools() {
  const missing = [];
  if (!(await commandExists('restic'))) missing.push('restic');
  if (!(await commandExists('borg'))) missing.push('borgbackup');
  if (missing.length === 0) return;
  log(`installing ${missing.join(', ')} from Debian's packages`);
  try {
    execFileSync(
      'sh',
      [
        '-c',
        `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(
          ' ',
        )}`,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  } catch (error) {
    throw new Error(
      `${missing.join(' and ')} missing and could not be installed (${
        error.message
      }); run: apt-get install -y restic borgbackup`,
    );
  }
}

export function toolVersions() {
  const first = (command, args) => {
    try {
      return execFileSync(command, args, { encoding: 'utf8' })
        .split('\n')[0]
        .trim();
    } catch {
      return null;
    }
  };
  return {
    pg_dump: first('pg_dump', ['--version']),
    restic: first('restic', ['version']),
    borg: first('borg', ['--version']),
    zstd: first('zstd', ['--version']),
  };
}

export function createPeers({ pg, dir }) {
  const pgEnv = { PGHOST: pg.host, PGPORT: String(pg.port), PGUSER: pg.user };
  const dump = (database, flags) => `pg_dump -Fc ${flags} "${database}"`;
  let repoNumber = 0;
  const freshDir = name => {
    const folder = path.join(dir, `${name}-${++repoNumber}`);
    fs.mkdirSync(folder, { recursive: true });
    return folder;
  };
  const keptDir = name => {
    fs.mkdirSync(path.join(dir, 'kept'), { recursive: true });
    return path.join(dir, 'kept', name);
  };
  let archiveNumber = 0;

  return {
    /** pg_dump -Fc [-Z0] > /dev/null: what the dump alone costs, with and without pg_dump's gzip. */
    async raw(database, { z0 = false } = {}) {
      const flags = z0 ? '-Z0' : '';
      return (
        await timed(
          `pg_dump -Fc${z0 ? ' -Z0' : ''} ${database} > /dev/null`,
          () => shell(`${dump(database, flags)} > /dev/null`, pgEnv),
        )
      ).seconds;
    },

    /**
     * pg_dump -Fc -Z0 | restic backup --stdin into a new repository (restic compresses, auto);
     * with `kept`, into the repository of that name, made on its first use and kept (a repeated
     * backup: restic finds the chunks it stored before).
     */
    async restic(database, { kept } = {}) {
      const repo = kept ? keptDir(`restic-${kept}`) : freshDir('restic');
      const env = {
        ...pgEnv,
        RESTIC_REPOSITORY: repo,
        RESTIC_PASSWORD: 'bench',
        RESTIC_CACHE_DIR: path.join(dir, 'restic-cache'),
      };
      if (!kept || !fs.existsSync(path.join(repo, 'config')))
        await shell('restic init -q', env);
      const { seconds } = await timed(
        `pg_dump -Fc -Z0 ${database} | restic backup --stdin${
          kept ? ` (kept repository ${kept})` : ''
        }`,
        () =>
          shell(
            `${dump(
              database,
              '-Z0',
            )} | restic backup -q --stdin --stdin-filename "${database}.dump"`,
            env,
          ),
      );
      if (!kept) fs.rmSync(repo, { recursive: true, force: true });
      return seconds;
    },

    /** pg_dump -Fc -Z0 | borg create --compression zstd,3 - into a new repository (or a kept one, as restic). */
    async borg(database, { kept } = {}) {
      const repo = kept ? keptDir(`borg-${kept}`) : freshDir('borg');
      const env = {
        ...pgEnv,
        BORG_REPO: repo,
        BORG_BASE_DIR: path.join(dir, 'borg-home'),
        BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK: 'yes',
      };
      if (!kept || !fs.existsSync(path.join(repo, 'config')))
        await shell('borg init --encryption=none', env);
      const archive = `dump-${++archiveNumber}`;
      const { seconds } = await timed(
        `pg_dump -Fc -Z0 ${database} | borg create --compression zstd,3 -${
          kept ? ` (kept repository ${kept})` : ''
        }`,
        () =>
          shell(
            `${dump(
              database,
              '-Z0',
            )} | borg create --compression zstd,3 --stdin-name "${database}.dump" ::${archive} -`,
            env,
          ),
      );
      if (!kept) fs.rmSync(repo, { recursive: true, force: true });
      return seconds;
    },

    /** The runbooks' way (seeds 000 and 002): dump to a file, gzip it, checksum it, copy it to a second folder. */
    async seedWay(database) {
      const first = freshDir('seed-backups');
      const second = freshDir('seed-offsite');
      const { seconds } = await timed(
        `seed way (pg_dump > file, gzip, sha256sum, cp) ${database}`,
        () =>
          shell(
            [
              `${dump(database, '')} > "${first}/db.dump"`,
              `gzip "${first}/db.dump"`,
              `(cd "${first}" && sha256sum db.dump.gz > SHA256SUMS)`,
              `cp "${first}/db.dump.gz" "${first}/SHA256SUMS" "${second}/"`,
            ].join('\n'),
            pgEnv,
          ),
      );
      fs.rmSync(first, { recursive: true, force: true });
      fs.rmSync(second, { recursive: true, force: true });
      return seconds;
    },

    /** A `pg_dump -Fc` file, the input of pgRestore. */
    async dumpFile(database) {
      const file = path.join(dir, `${database}.dump`);
      await shell(`${dump(database, '')} > "${file}"`, pgEnv);
      return file;
    },

    /** createdb + pg_restore --no-owner -d of a dump file, as the runbooks restore. */
    async pgRestore(file, into) {
      return (
        await timed(
          `createdb + pg_restore ${path.basename(file)} into ${into}`,
          () =>
            shell(
              `createdb "${into}"\npg_restore --no-owner -d "${into}" "${file}"`,
              pgEnv,
            ),
        )
      ).seconds;
    },

    dropDatabase: database =>
      run('dropdb', [
        '-h',
        pg.host,
        '-p',
        String(pg.port),
        '-U',
        pg.user,
        '--if-exists',
        database,
      ]),
  };
}
