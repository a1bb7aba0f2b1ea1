// @ts-check

const TABLE = 'restore_requests';
const CHECK = 'restore_requests_status_known';
const BEFORE = [
  'pending',
  'refused',
  'rejected',
  'expired',
  'approved',
  'running',
  'succeeded',
  'failed',
];
const AFTER = [...BEFORE, 'withdrawn'];

/**
 * Replaces the CHECK that lists the known statuses. PostgreSQL and MySQL alter the constraint;
 * SQLite cannot (no ALTER TABLE ... ADD CONSTRAINT, and knex's alterTable emits one), so the
 * table is rebuilt from its own CREATE statement with the new list, rows and indexes kept.
 *
 * @param {import('knex').Knex} knex
 * @param {string[]} statuses
 */
async function replaceStatusCheck(knex, statuses) {
  const list = statuses.map(s => `'${s}'`).join(', ');
  const client = String(knex.client.config.client);
  if (!client.includes('sqlite')) {
    const drop = client.includes('mysql')
      ? 'ALTER TABLE ?? DROP CHECK ??'
      : 'ALTER TABLE ?? DROP CONSTRAINT ??';
    await knex.raw(drop, [TABLE, CHECK]);
    await knex.raw(`ALTER TABLE ?? ADD CONSTRAINT ?? CHECK (?? in (${list}))`, [
      TABLE,
      CHECK,
      'status',
    ]);
    return;
  }
  const [{ sql }] = await knex('sqlite_master')
    .where({ type: 'table', name: TABLE })
    .select('sql');
  // As knex wrote it (SQLite quotes the table name its own way after a rename): constraint restore_requests_status_known check (`status` in ('pending', ...))
  const checkList = new RegExp(
    `(constraint \`?${CHECK}\`? check \\(\`status\` in \\()[^)]*\\)`,
    'i',
  );
  if (!checkList.test(sql))
    throw new Error(
      `${TABLE}: cannot find the ${CHECK} constraint in its CREATE statement`,
    );
  const indexes = await knex('sqlite_master')
    .where({ type: 'index', tbl_name: TABLE })
    .whereNotNull('sql')
    .pluck('sql');
  const rebuilt = sql
    .replace(checkList, `$1${list})`)
    .replace(
      /^create table [`"]?restore_requests[`"]?/i,
      'CREATE TABLE `restore_requests_rebuilt`',
    );
  await knex.raw(rebuilt);
  await knex.raw(
    'INSERT INTO `restore_requests_rebuilt` SELECT * FROM `restore_requests`',
  );
  await knex.raw('DROP TABLE `restore_requests`');
  await knex.raw(
    'ALTER TABLE `restore_requests_rebuilt` RENAME TO `restore_requests`',
  );
  for (const index of indexes) await knex.raw(index);
}

/**
 * restore_requests.status may be 'withdrawn': the requester took a pending request back before
 * anyone decided on it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await replaceStatusCheck(knex, AFTER);
};

/**
 * Withdrawn requests become expired ones (the old statuses have no closer match), with a note.
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex(TABLE).where({ status: 'withdrawn' }).update({
    status: 'expired',
    error:
      'Withdrawn by the requester (recorded as expired when the database was migrated down).',
  });
  await replaceStatusCheck(knex, BEFORE);
};
