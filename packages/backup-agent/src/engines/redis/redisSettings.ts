import { z } from 'zod';
import type { ConfigContext } from '../../config/ConfigContext';
import { field } from '../../config/describeField';
import { localPath } from '../../config/localPath';
import { secretRefSchema } from '../../config/secretRef';
import { containerSettingSchema } from '../containerSetting';

function commandSchema(what: string) {
  return z
    .array(
      z.string(field('one argument')).min(1),
      field(
        `${what}, as an argv list such as [systemctl, stop, redis-server]`,
        'a list',
      ),
    )
    .min(1, `must name a program: ${what}`);
}

function restoreSchema(context: ConfigContext) {
  const replay = z
    .object({
      mode: z.literal('replay'),
      flush: z
        .boolean(
          field(
            'whether to empty the server (FLUSHALL) before loading, so it ends up equal to the snapshot',
            'true or false',
          ),
        )
        .default(true),
    })
    .strict();
  const replaceFile = z
    .object({
      mode: z.literal('replace-file'),
      rdbPath: localPath(
        context,
        "the server's RDB file to replace (defaults to rdbPath)",
      ).optional(),
      stopCommand: commandSchema(
        'the command that stops the server',
      ).optional(),
      startCommand: commandSchema(
        'the command that starts the server again',
      ).optional(),
      startTimeoutSeconds: z
        .number(
          field(
            'how long to wait for the server to answer after starting',
            'a number',
          ),
        )
        .int()
        .min(1)
        .default(60),
    })
    .strict();
  return z.discriminatedUnion('mode', [replay, replaceFile], {
    errorMap: (issue, ctx) =>
      issue.code === 'invalid_union_discriminator'
        ? {
            message:
              'must be "replay" (load the keys into the running server) or "replace-file" (stop the server, swap its RDB file, start it)',
          }
        : { message: ctx.defaultError },
  });
}

export function redisSettingsSchema(context: ConfigContext) {
  return z
    .object({
      host: z
        .string(field('the Redis/Valkey host'))
        .min(1)
        .default('127.0.0.1'),
      port: z
        .number(field('the Redis/Valkey port', 'a number'))
        .int()
        .min(1)
        .max(65535)
        .default(6379),
      user: z
        .string(field('the ACL user (leave out for the default user)'))
        .min(1)
        .optional(),
      password: secretRefSchema(
        context,
        'the Redis/Valkey password',
      ).optional(),
      container: containerSettingSchema().optional(),
      rdbPath: localPath(
        context,
        "the server's RDB file, when the agent can read it (else the RDB is fetched over the wire)",
      ).optional(),
      saveTimeoutSeconds: z
        .number(field('how long to wait for BGSAVE', 'a number'))
        .int()
        .min(1)
        .default(600),
      restore: restoreSchema(context).default({ mode: 'replay', flush: true }),
    })
    .strict()
    .superRefine((settings, ctx) => {
      if (settings.container && settings.rdbPath) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['rdbPath'],
          message:
            "is a path on the agent's host and cannot be combined with container: leave it out (the RDB is fetched with redis-cli --rdb inside the container)",
        });
      }
      if (settings.container && settings.restore.mode === 'replace-file') {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['restore', 'mode'],
          message:
            "replace-file swaps a file on the agent's host and cannot be combined with container: use mode replay",
        });
      }
      if (
        settings.restore.mode === 'replace-file' &&
        !settings.restore.rdbPath &&
        !settings.rdbPath
      ) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['restore', 'rdbPath'],
          message:
            "required for mode replace-file: the server's RDB file (or set rdbPath on the target)",
        });
      }
    });
}

export type RedisSettings = z.infer<ReturnType<typeof redisSettingsSchema>>;
