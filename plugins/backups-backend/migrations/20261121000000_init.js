// @ts-check

/**
 * backup_runs: one row per backup run, scheduled or asked for by a person.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('backup_runs', table => {
    table.comment(
      'Backup runs: what was asked, what the agent did, and the outcome',
    );
    table.string('id', 36).primary().notNullable().comment('UUID of the run');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Catalog entity whose policy this run follows');
    table
      .string('agent', 64)
      .notNullable()
      .comment('Agent name from app-config backups.agents');
    table
      .string('target', 64)
      .notNullable()
      .comment("Target name in the agent's config");
    table
      .string('status', 32)
      .notNullable()
      .comment(
        'queued | running | succeeded | failed | partially_failed | interrupted',
      );
    table
      .text('phase')
      .nullable()
      .comment('What the run is doing or waiting for, for people');
    table.string('trigger', 16).notNullable().comment('schedule | user');
    table
      .string('triggered_by', 255)
      .nullable()
      .comment('Entity ref of who asked, for user runs');
    table
      .timestamp('scheduled_for', { useTz: true })
      .nullable()
      .comment('The schedule slot this run fills, for scheduled runs');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.bigInteger('duration_ms').nullable();
    table
      .bigInteger('bytes_raw')
      .nullable()
      .comment('Bytes the dump tool produced');
    table
      .bigInteger('bytes_stored')
      .nullable()
      .comment('Bytes stored (progress while running)');
    table
      .string('sha256', 64)
      .nullable()
      .comment('sha256 of the primary artifact');
    table.string('snapshot_id', 255).nullable();
    table
      .text('location')
      .nullable()
      .comment('Where the primary snapshot lives');
    table.bigInteger('downtime_ms').nullable();
    table
      .text('error')
      .nullable()
      .comment('Why it failed, with secrets redacted');
    table
      .string('agent_job_id', 255)
      .nullable()
      .comment("The agent's job id once started");
    table
      .text('tiers')
      .nullable()
      .comment('JSON: every stored snapshot, one per tier');
    table
      .timestamp('agent_seen_at', { useTz: true })
      .nullable()
      .comment('Last time the agent answered about this run');
    table
      .string('running_target', 160)
      .nullable()
      .comment(
        'agent/target while running, else null: its unique index forbids overlapping runs',
      );
    table.timestamp('updated_at', { useTz: true }).notNullable();

    // Replicas dispatching the same slot can never create two runs for it.
    table.unique(['entity_ref', 'scheduled_for'], {
      indexName: 'backup_runs_entity_slot_uniq',
    });
    table.unique(['running_target'], {
      indexName: 'backup_runs_running_target_uniq',
    });
    table.index(['entity_ref', 'created_at'], 'backup_runs_entity_created_idx');
    table.index(['agent', 'target', 'status'], 'backup_runs_target_status_idx');
    table.index(['status'], 'backup_runs_status_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('backup_runs');
};
