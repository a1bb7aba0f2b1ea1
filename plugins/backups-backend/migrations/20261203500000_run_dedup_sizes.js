// @ts-check

/**
 * backup_runs.bytes_new / dedup_ratio: what a run added to its primary tier and how many times
 * smaller that is than a restore (the manifest's `sizes`, issue 13's chunked snapshots).
 * bytes_raw stays the logical size (the size of a restore), bytes_stored what a restore reads.
 * Null for runs recorded before (and for agents that do not report them).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('backup_runs', table => {
    table
      .bigInteger('bytes_new')
      .nullable()
      .comment(
        'Bytes the snapshot added to its primary tier: whole files, or new packs and chunk indexes',
      );
    table
      .double('dedup_ratio')
      .nullable()
      .comment(
        'bytes_raw / bytes_new as the manifest records it; 0 when nothing was new',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('backup_runs', table => {
    table.dropColumn('bytes_new');
    table.dropColumn('dedup_ratio');
  });
};
