import type { Knex } from 'knex';

export type SqlDialect = 'postgres' | 'sqlite' | 'mysql';

/** Which SQL the plugin's database speaks; the aggregate queries differ in a few expressions. */
export function sqlDialect(knex: Knex): SqlDialect {
  const client = String(
    (knex.client as { config?: { client?: unknown } }).config?.client ?? '',
  );
  if (client === 'pg' || client.includes('postgres')) return 'postgres';
  if (client.includes('sqlite')) return 'sqlite';
  if (client.includes('mysql')) return 'mysql';
  throw new Error(
    `The backups plugin does not support the database client "${client}" (use PostgreSQL, SQLite or MySQL)`,
  );
}

/**
 * A one-column table (`ref`) of the given texts, bound as ONE parameter: lets one query look
 * up many entities (a correlated subquery per entity uses the indexes) without a huge IN list.
 */
export function textListTable(
  knex: Knex,
  values: string[],
  alias: string,
): Knex.Raw {
  const json = JSON.stringify(values);
  const tables: Record<SqlDialect, () => Knex.Raw> = {
    postgres: () =>
      knex.raw(`(select unnest(?::text[]) as ref) as ??`, [values, alias]),
    sqlite: () =>
      knex.raw(`(select value as ref from json_each(?)) as ??`, [json, alias]),
    mysql: () =>
      knex.raw(
        `json_table(?, '$[*]' columns (ref varchar(255) path '$')) as ??`,
        [json, alias],
      ),
  };
  return tables[sqlDialect(knex)]();
}

/**
 * The UTC day (YYYY-MM-DD) of a timestamp column. SQLite holds knex-bound dates as epoch
 * milliseconds; PostgreSQL and MySQL hold timestamps.
 */
export function utcDayExpression(knex: Knex, column: string): Knex.Raw {
  const expressions: Record<SqlDialect, string> = {
    postgres: `to_char(?? at time zone 'UTC', 'YYYY-MM-DD')`,
    sqlite: `strftime('%Y-%m-%d', ?? / 1000, 'unixepoch')`,
    mysql: `date_format(??, '%Y-%m-%d')`,
  };
  return knex.raw(expressions[sqlDialect(knex)], [column]);
}
