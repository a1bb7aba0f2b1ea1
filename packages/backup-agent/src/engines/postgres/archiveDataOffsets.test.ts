import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWithService } from '../../testing/services';
import { setDataOffsets } from './archiveDataOffsets';

describeWithService(
  'SAFEKEEP_TEST_POSTGRES_URL',
  'data offsets of a custom-format archive dumped to a pipe (real pg_dump)',
  rawUrl => {
    const url = new URL(rawUrl);
    const env = {
      ...process.env,
      PGHOST: url.hostname,
      PGPORT: url.port || '5432',
      PGUSER: decodeURIComponent(url.username || 'postgres'),
      ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}),
    };
    const database = `safekeep_offsets_${randomBytes(4).toString('hex')}`;
    let dir = '';
    const psql = (db: string, sql: string) =>
      execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db], {
        env,
        input: sql,
      });
    const files = () => {
      // To a pipe (as the agent runs it): no offsets. To a file pg_dump can seek in: offsets.
      const piped = path.join(dir, 'piped.dump');
      fs.writeFileSync(
        piped,
        execFileSync('pg_dump', ['-Fc', '-Z0', database], {
          env,
          maxBuffer: 64 * 2 ** 20,
        }),
      );
      const seekable = path.join(dir, 'seekable.dump');
      execFileSync('pg_dump', ['-Fc', '-Z0', '-f', seekable, database], {
        env,
      });
      return { piped, seekable };
    };

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-offsets-'));
      psql('postgres', `CREATE DATABASE ${database}`);
      psql(
        database,
        `CREATE TABLE a (id int PRIMARY KEY, body text);
         INSERT INTO a SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 20000) g;
         CREATE TABLE b (id int, doc jsonb);
         INSERT INTO b SELECT g, jsonb_build_object('n', g) FROM generate_series(1, 5000) g;
         CREATE TABLE empty_table (x int);
         SELECT lo_from_bytea(0, decode(repeat('ab', 100000), 'hex'));`,
      );
    });

    afterAll(() => {
      psql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('writes the offsets pg_dump writes when it can seek, and nothing else', async () => {
      const { piped, seekable } = files();
      const before = fs.readFileSync(piped);
      // Three tables' data and the large objects: each block gets its offset.
      expect(await setDataOffsets(piped)).toEqual({ set: 4 });
      const after = fs.readFileSync(piped);
      const reference = fs.readFileSync(seekable);
      expect(after.length).toBe(reference.length);
      // The same bytes as pg_dump's own, but for its creation time in the header (7 ints from
      // byte 16): two dumps a moment apart.
      const differing = [...after.keys()].filter(
        i => after[i] !== reference[i],
      );
      expect(differing.every(i => i >= 16 && i < 16 + 7 * 5)).toBe(true);
      // It was a dump without offsets before.
      expect(before.equals(after)).toBe(false);
      expect(await setDataOffsets(piped)).toEqual({
        set: 0,
        skipped: 'its offsets are set',
      });
      expect(
        execFileSync('pg_restore', ['-l', piped], { env }).toString(),
      ).toContain('TABLE DATA public a');
    });

    it('leaves a cut or foreign file as it is and says why', async () => {
      const { piped } = files();
      const cut = path.join(dir, 'cut.dump');
      const whole = fs.readFileSync(piped);
      fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
      const cutBefore = fs.readFileSync(cut);
      expect(await setDataOffsets(cut)).toEqual({
        set: 0,
        skipped: 'the archive ends in the middle of an entry or block',
      });
      expect(fs.readFileSync(cut).equals(cutBefore)).toBe(true);

      const foreign = path.join(dir, 'foreign.dump');
      fs.writeFileSync(foreign, randomBytes(4096));
      const foreignBefore = fs.readFileSync(foreign);
      expect(await setDataOffsets(foreign)).toEqual({
        set: 0,
        skipped: 'not a pg_dump custom-format archive',
      });
      expect(fs.readFileSync(foreign).equals(foreignBefore)).toBe(true);
    });
  },
);
