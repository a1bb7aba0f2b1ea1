// @ts-check

const INDEX = 'backup_runs_active_target_uniq';
const ACTIVE = ['queued', 'running'];

/**
 * At most one active (queued or running) run per agent/target, enforced by the database: a
 * partial unique index, so two backend replicas cannot both queue a run for one target (a
 * check-then-insert in a transaction does not stop that under PostgreSQL's READ COMMITTED).
 * Both SQLite and PostgreSQL support partial indexes.
 *
 * Runs that already break the rule keep the first active one (a running run before a queued
 * one, then the oldest) and end the others as interrupted, saying why.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const active = await knex('backup_runs')
    .whereIn('status', ACTIVE)
    .orderByRaw("case when status = 'running' then 0 else 1 end")
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .select('id', 'agent', 'target');
  const seen = new Set();
  const extra = [];
  for (const run of active) {
    const key = `${run.agent}/${run.target}`;
    if (seen.has(key)) extra.push(run.id);
    else seen.add(key);
  }
  for (let i = 0; i < extra.length; i += 500) {
    await knex('backup_runs')
      .whereIn('id', extra.slice(i, i + 500))
      .update({
        status: 'interrupted',
        running_target: null,
        finished_at: new Date(),
        updated_at: new Date(),
        error:
          'Ended when the database was migrated: another run of this target was already queued or running, and only one may be active.',
      });
  }
  await knex.raw(
    `CREATE UNIQUE INDEX ?? ON ?? (??, ??) WHERE ?? IN ('queued', 'running')`,
    [INDEX, 'backup_runs', 'agent', 'target', 'status'],
  );
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX ??', [INDEX]);
};
