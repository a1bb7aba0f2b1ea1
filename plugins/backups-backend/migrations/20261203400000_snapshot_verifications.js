// @ts-check

/**
 * Scheduled verify (backups.verify in app-config, per storage tier):
 * - verify_rounds: one row per entity, tier and schedule slot: how many snapshots the round
 *   chose (a rotating subset, like restic's check --read-data-subset n/t) out of how many;
 * - snapshot_verifications: one agent verify job per chosen snapshot, its result, and when the
 *   owners were told of a failure (once per snapshot).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('verify_rounds', table => {
    table.comment('Scheduled verify rounds: one per entity, tier and slot');
    table.string('entity_ref', 255).notNullable();
    table.string('tier', 64).notNullable();
    table.timestamp('slot', { useTz: true }).notNullable();
    table
      .integer('selected')
      .notNullable()
      .comment('Snapshots this round verifies');
    table
      .integer('total')
      .notNullable()
      .comment('Snapshots of the tier when the round was planned');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'tier', 'slot']);
  });
  await knex.schema.createTable('snapshot_verifications', table => {
    table.comment(
      'One scheduled verify of one snapshot in one tier, and its result',
    );
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('agent', 64).notNullable();
    table.string('target', 64).notNullable();
    table.string('tier', 64).notNullable();
    table.string('snapshot_id', 64).notNullable();
    table.timestamp('slot', { useTz: true }).notNullable();
    table
      .string('status', 16)
      .notNullable()
      .comment(
        'queued | running | ok | failed (the snapshot is broken) | error (could not be verified)',
      );
    table
      .text('problem')
      .nullable()
      .comment('What verify found, or why it could not run');
    table.string('agent_job_id', 255).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table
      .timestamp('notified_at', { useTz: true })
      .nullable()
      .comment('When the owners were told of this failure');
    table.unique(['entity_ref', 'tier', 'snapshot_id', 'slot'], {
      indexName: 'snapshot_verifications_slot_uniq',
    });
    table.index(['status'], 'snapshot_verifications_status_idx');
    table.index(
      ['agent', 'target', 'tier', 'snapshot_id'],
      'snapshot_verifications_snapshot_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('snapshot_verifications');
  await knex.schema.dropTable('verify_rounds');
};
