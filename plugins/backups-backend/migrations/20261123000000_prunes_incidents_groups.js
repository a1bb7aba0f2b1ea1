// @ts-check

/**
 * Phase 2 of the backups tables:
 * - backup_prunes: the retention prunes asked of agents after successful runs, and what they removed;
 * - backup_incidents: failing/stale incidents per entity, so owners are notified once per incident;
 * - backup_runs.group_run_id / group_ref: runs started together for a System's consistency group;
 * - indexes for the aggregate queries (team overview, size series, freshness of many entities).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('backup_prunes', table => {
    table.comment(
      'Retention prunes asked of agents after a successful run, one row per storage tier',
    );
    table.string('id', 36).primary().notNullable().comment('UUID of the prune');
    table
      .string('run_id', 36)
      .notNullable()
      .comment('The succeeded backup run that triggered it');
    table.string('entity_ref', 255).notNullable();
    table.string('agent', 64).notNullable();
    table.string('target', 64).notNullable();
    table
      .string('tier', 64)
      .notNullable()
      .comment("The agent's storage tier name");
    table
      .string('retention_annotation', 64)
      .notNullable()
      .comment('Which annotation the policy came from');
    table
      .text('retention')
      .notNullable()
      .comment('JSON RetentionPolicy sent to the agent');
    table
      .string('status', 16)
      .notNullable()
      .comment('pending | running | succeeded | failed');
    table.string('agent_job_id', 255).nullable();
    table
      .text('pruned')
      .nullable()
      .comment('JSON: snapshot ids the agent removed');
    table
      .text('incomplete_removed')
      .nullable()
      .comment('JSON: incomplete snapshot folders removed');
    table.integer('kept_count').nullable();
    table
      .text('error')
      .nullable()
      .comment('Why the prune failed, with secrets redacted');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.index(['status', 'created_at'], 'backup_prunes_status_idx');
    table.index(['run_id'], 'backup_prunes_run_idx');
    table.index(['entity_ref', 'created_at'], 'backup_prunes_entity_idx');
  });

  await knex.schema.createTable('backup_incidents', table => {
    table.comment(
      'Failing or stale periods of an entity; owners are notified when one opens and closes',
    );
    table.string('id', 36).primary().notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('kind', 16).notNullable().comment('failing | stale');
    table
      .text('reason')
      .notNullable()
      .comment('The health reason when it opened');
    table
      .string('owner', 255)
      .nullable()
      .comment('Who is notified (the entity owner), if any');
    table.timestamp('opened_at', { useTz: true }).notNullable();
    table.timestamp('closed_at', { useTz: true }).nullable();
    table
      .string('close_reason', 16)
      .nullable()
      .comment('recovered | unconfigured');
    table
      .timestamp('notified_at', { useTz: true })
      .nullable()
      .comment('When the opening notice went out');
    table.timestamp('recovery_notified_at', { useTz: true }).nullable();
    table
      .string('open_key', 300)
      .nullable()
      .comment(
        'entity_ref|kind while open, else null: its unique index allows one open incident per kind',
      );
    table.unique(['open_key'], { indexName: 'backup_incidents_open_key_uniq' });
    table.index(['entity_ref', 'opened_at'], 'backup_incidents_entity_idx');
  });

  await knex.schema.alterTable('backup_runs', table => {
    table
      .string('group_run_id', 36)
      .nullable()
      .comment('Shared by the runs of one consistency-group backup');
    table
      .string('group_ref', 255)
      .nullable()
      .comment('The System whose consistency group this run belongs to');
    table.index(['group_run_id'], 'backup_runs_group_run_idx');
    // Latest success / latest finished per entity, size series: equality on entity and status, range on time.
    table.index(
      ['entity_ref', 'status', 'finished_at'],
      'backup_runs_entity_status_finished_idx',
    );
    // Success rates and trends per entity over a time window.
    table.index(
      ['entity_ref', 'finished_at'],
      'backup_runs_entity_finished_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('backup_runs', table => {
    table.dropIndex([], 'backup_runs_entity_finished_idx');
    table.dropIndex([], 'backup_runs_entity_status_finished_idx');
    table.dropIndex([], 'backup_runs_group_run_idx');
  });
  await knex.schema.alterTable('backup_runs', table => {
    table.dropColumn('group_ref');
    table.dropColumn('group_run_id');
  });
  await knex.schema.dropTable('backup_incidents');
  await knex.schema.dropTable('backup_prunes');
};
