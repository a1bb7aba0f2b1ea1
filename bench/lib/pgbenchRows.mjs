// The extra shapes: pgbench's own tables (blank filler: compresses 35:1 for free) and the same
// tables with 84 hex characters of filler (about 4:1, and expensive for gzip).

/** pgbench's scale for about `sizeMiB` of database (scale 70 is about 1 GiB). */
export const pgbenchScaleForSize = sizeMiB =>
  Math.max(1, Math.round(sizeMiB / 15));

/**
 * Makes `database` a pgbench database of the scale for `sizeMiB`, reusing one with that scale.
 * `filler`: 'pgbench' (blank) or 'md5' (hex text).
 */
export async function ensurePgbenchDatabase({
  database,
  sizeMiB,
  filler,
  psql,
  createDatabase,
  pgArgs,
  run,
  log,
}) {
  const scale = pgbenchScaleForSize(sizeMiB);
  const tag = `pgbench scale ${scale}, ${filler} filler`;
  const exists =
    psql(
      'postgres',
      `SELECT 1 FROM pg_database WHERE datname = '${database}'`,
    ) === '1';
  if (exists) {
    let found = '';
    try {
      found = psql(
        database,
        "SELECT obj_description('pgbench_accounts'::regclass, 'pg_class')",
      );
    } catch {
      // not a complete pgbench database: recreated below
    }
    if (found === tag) {
      log(`reusing ${database} (${tag})`);
      return;
    }
  }
  log(`creating ${database}: ${tag}`);
  await createDatabase(database);
  if (filler === 'pgbench') {
    await run('pgbench', [
      ...pgArgs,
      '-i',
      '-q',
      '-s',
      String(scale),
      database,
    ]);
  } else {
    // pgbench creates the tables (and later vacuums and adds keys); the rows are generated here,
    // as pgbench's server-side generation does, with 84 hex characters of filler.
    await run('pgbench', [
      ...pgArgs,
      '-i',
      '-q',
      '-I',
      'dt',
      '-s',
      String(scale),
      database,
    ]);
    const hex =
      'md5(aid::text) || md5((aid + 1)::text) || left(md5((aid + 2)::text), 20)';
    psql(
      database,
      `INSERT INTO pgbench_branches (bid, bbalance) SELECT bid, 0 FROM generate_series(1, ${scale}) AS bid;
       INSERT INTO pgbench_tellers (tid, bid, tbalance) SELECT tid, (tid - 1) / 10 + 1, 0 FROM generate_series(1, ${
         scale * 10
       }) AS tid;
       INSERT INTO pgbench_accounts (aid, bid, abalance, filler) SELECT aid, (aid - 1) / 100000 + 1, 0, ${hex} FROM generate_series(1, ${
        scale * 100000
      }) AS aid;`,
    );
    await run('pgbench', [
      ...pgArgs,
      '-i',
      '-q',
      '-I',
      'vp',
      '-s',
      String(scale),
      database,
    ]);
  }
  psql(database, `COMMENT ON TABLE pgbench_accounts IS '${tag}'`);
}
