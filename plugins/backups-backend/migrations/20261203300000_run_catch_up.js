// @ts-check

/**
 * backup_runs.catch_up: for a scheduled run queued after missed slots (the backend was down,
 * or a run of the target was still active) or late, what it catches up (JSON RunCatchUp:
 * missedSlots, firstMissedSlot, lateMs, sinceLastSuccessMs, rpoMs, rpoExceeded).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('backup_runs', table => {
    table
      .text('catch_up')
      .nullable()
      .comment(
        'JSON RunCatchUp of a scheduled run queued after missed slots or late: missedSlots, firstMissedSlot, lateMs, sinceLastSuccessMs, rpoMs, rpoExceeded',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('backup_runs', table => {
    table.dropColumn('catch_up');
  });
};
