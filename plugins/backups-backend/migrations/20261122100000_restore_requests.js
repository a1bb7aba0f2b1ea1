// @ts-check

/**
 * restore_requests: restores asked for by one person and decided by another, and scheduled
 * restore drills; restore_drill_schedules: the drill policies last read from the catalog, so
 * overdue drills can be counted without the catalog.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('restore_requests', table => {
    table.comment(
      'Restore requests and drills: who asked, who decided, what the agent did, the check',
    );
    table
      .string('id', 36)
      .primary()
      .notNullable()
      .comment('UUID of the request');
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('Entity restored (a System for a group restore)');
    table
      .string('agent', 64)
      .nullable()
      .comment('Agent of a single-target restore; null for a group');
    table
      .string('target', 64)
      .nullable()
      .comment('Target of a single-target restore; null for a group');
    table
      .string('status', 16)
      .notNullable()
      .comment(
        'pending | refused | rejected | expired | approved | running | succeeded | failed',
      );
    table
      .text('phase')
      .nullable()
      .comment('What the restore is doing or waiting for, for people');
    table
      .string('snapshot_id', 255)
      .notNullable()
      .comment('Snapshot restored (for a group: the backup window)');
    table.text('destination').notNullable().comment('JSON RestoreDestination');
    table
      .boolean('force')
      .notNullable()
      .defaultTo(false)
      .comment(
        'Overwrite a destination that holds data (shown in the preview, approved)',
      );
    table.text('reason').notNullable();
    table
      .string('requested_by', 255)
      .notNullable()
      .comment('User entity ref of who asked');
    table.timestamp('requested_at', { useTz: true }).notNullable();
    table
      .timestamp('expires_at', { useTz: true })
      .notNullable()
      .comment('A request not approved and started by then cannot run');
    table
      .string('decided_by', 255)
      .nullable()
      .comment('User entity ref of who approved or rejected');
    table.timestamp('decided_at', { useTz: true }).nullable();
    table.text('decision_comment').nullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.bigInteger('duration_ms').nullable();
    table
      .text('preview')
      .notNullable()
      .comment('JSON RestorePreview, computed before anyone decides');
    table.text('check_result').nullable().comment('JSON post-restore check');
    table
      .text('error')
      .nullable()
      .comment('Why it failed or was refused, secrets redacted');
    table
      .text('group_state')
      .nullable()
      .comment('JSON: members of a group restore and their progress');
    table
      .boolean('drill')
      .notNullable()
      .defaultTo(false)
      .comment('A scheduled drill into a scratch destination');
    table
      .timestamp('scheduled_for', { useTz: true })
      .nullable()
      .comment('The drill schedule slot');
    table
      .string('agent_job_id', 255)
      .nullable()
      .comment("The agent's job of the restore step running now");
    table.timestamp('agent_seen_at', { useTz: true }).nullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();

    // Four eyes, in the database itself: nobody decides their own request.
    table.check(
      '?? is null or ?? <> ??',
      ['decided_by', 'decided_by', 'requested_by'],
      'restore_requests_decider_not_requester',
    );
    table.check(
      "?? in ('pending', 'refused', 'rejected', 'expired', 'approved', 'running', 'succeeded', 'failed')",
      ['status'],
      'restore_requests_status_known',
    );
    table.unique(['entity_ref', 'scheduled_for'], {
      indexName: 'restore_requests_drill_slot_uniq',
    });
    table.index(
      ['entity_ref', 'requested_at'],
      'restore_requests_entity_requested_idx',
    );
    table.index(['status'], 'restore_requests_status_idx');
  });

  await knex.schema.createTable('restore_drill_schedules', table => {
    table.comment('Restore drill policies as last read from the catalog');
    table.string('entity_ref', 255).primary().notNullable();
    table.string('cron', 128).notNullable();
    table.string('time_zone', 64).notNullable();
    table
      .string('source', 255)
      .notNullable()
      .comment('The annotation as written');
    table
      .text('destination')
      .notNullable()
      .comment('Scratch destination on the agent');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('restore_drill_schedules');
  await knex.schema.dropTable('restore_requests');
};
