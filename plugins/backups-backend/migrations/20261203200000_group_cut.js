// @ts-check

/**
 * backup_runs.group_cut: for a run that was a member of an agent's consistency-group backup,
 * how the group was cut (JSON GroupCut: mode, cut time, writer downtime, this member's phases).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('backup_runs', table => {
    table
      .text('group_cut')
      .nullable()
      .comment(
        'JSON GroupCut of the agent group backup this run was part of: mode, cutAt, writerDowntimeMs, phases',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('backup_runs', table => {
    table.dropColumn('group_cut');
  });
};
