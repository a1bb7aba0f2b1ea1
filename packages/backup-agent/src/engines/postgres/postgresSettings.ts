import { z } from 'zod';
import type { ConfigContext } from '../../config/ConfigContext';
import { field } from '../../config/describeField';
import { secretRefSchema } from '../../config/secretRef';
import { containerSettingSchema } from '../containerSetting';

const EXTRA_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const COPY_FROM_STDIN = /^\s*COPY\s[\s\S]+\sFROM\s+STDIN\b/i;

/**
 * Rows pg_dump does not carry (tables owned by an extension, such as DocumentDB's catalog):
 * `query` runs as `COPY (query) TO STDOUT` in the dump's snapshot, and after pg_restore the
 * rows go back through `replay`, a `COPY ... FROM STDIN` statement, after `beforeReplay`.
 */
function extraSqlSchema() {
  return z
    .object({
      name: z
        .string(field('a name for this extract, used as its artifact name'))
        .regex(
          EXTRA_NAME,
          'must be letters, digits, "_" or "-", starting with a letter or digit (it becomes the artifact name <name>.copy)',
        ),
      database: z
        .string(field('the database the query runs in'))
        .min(1)
        .optional(),
      query: z
        .string(
          field(
            'a SELECT whose rows are saved, e.g. SELECT * FROM documentdb_api_catalog.collections',
          ),
        )
        .min(1),
      replay: z
        .string(
          field(
            'the COPY ... FROM STDIN statement that loads the rows after a restore',
          ),
        )
        .regex(
          COPY_FROM_STDIN,
          'must be a COPY ... FROM STDIN statement, e.g. COPY documentdb_api_catalog.collections FROM STDIN',
        ),
      beforeReplay: z
        .string(
          field(
            'a statement run before the replay, e.g. DELETE FROM documentdb_api_catalog.collections',
          ),
        )
        .min(1)
        .optional(),
    })
    .strict();
}

export function postgresSettingsSchema(context: ConfigContext) {
  return z
    .object({
      host: z.string(field('the PostgreSQL host')).min(1).default('127.0.0.1'),
      port: z
        .number(field('the PostgreSQL port', 'a number'))
        .int()
        .min(1)
        .max(65535)
        .default(5432),
      user: z
        .string(field('the PostgreSQL user the agent connects as'))
        .min(1)
        .default('postgres'),
      password: secretRefSchema(context, 'the PostgreSQL password').optional(),
      container: containerSettingSchema().optional(),
      databases: z
        .array(
          z.string(field('a database name')).min(1),
          field(
            'the databases to back up (all non-template databases when left out)',
            'a list',
          ),
        )
        .min(
          1,
          'must list at least one database, or be left out to back up every non-template database',
        )
        .optional(),
      maintenanceDatabase: z
        .string(field('the database used to list and create databases'))
        .min(1)
        .default('postgres'),
      globals: z
        .boolean(
          field(
            'whether to back up roles and tablespaces (pg_dumpall --globals-only)',
            'true or false',
          ),
        )
        .default(true),
      restoreGlobals: z
        .boolean(
          field(
            'whether a restore replays globals.sql (roles usually exist already)',
            'true or false',
          ),
        )
        .default(false),
      restoreJobs: z
        .number(
          field(
            'pg_restore connections for a restore into a new database (--jobs, from a staged copy of the dump); 1 restores in one stream',
            'a number',
          ),
        )
        .int()
        .min(1)
        .max(16)
        .optional(),
      extraSql: z
        .array(
          extraSqlSchema(),
          field('extra rows pg_dump does not carry', 'a list'),
        )
        .default([]),
    })
    .strict()
    .superRefine((settings, ctx) => {
      const names = new Set<string>();
      settings.extraSql.forEach((extra, index) => {
        if (names.has(extra.name)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['extraSql', index, 'name'],
            message: `"${extra.name}" is used twice; give each extract its own name`,
          });
        }
        names.add(extra.name);
        const listed = settings.databases;
        if (!extra.database && listed?.length !== 1) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['extraSql', index, 'database'],
            message:
              'required: the database the query runs in (it can be left out only when exactly one database is listed)',
          });
        } else if (
          extra.database &&
          listed &&
          !listed.includes(extra.database)
        ) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['extraSql', index, 'database'],
            message: `"${
              extra.database
            }" is not among the databases backed up (${listed.join(
              ', ',
            )}); add it to databases`,
          });
        }
      });
    })
    .transform(settings => ({
      ...settings,
      extraSql: settings.extraSql.map(extra => ({
        ...extra,
        database: extra.database ?? settings.databases?.[0] ?? '',
      })),
      /** Set by `restore --to`: the one database a snapshot's dump is restored into. */
      restoreInto: undefined as string | undefined,
    }));
}

export type PostgresSettings = z.infer<
  ReturnType<typeof postgresSettingsSchema>
>;
export type ExtraSql = PostgresSettings['extraSql'][number];
