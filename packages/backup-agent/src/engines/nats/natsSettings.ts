import { z } from 'zod';
import type { ConfigContext } from '../../config/ConfigContext';
import { field } from '../../config/describeField';
import { localPath } from '../../config/localPath';
import { secretRefSchema } from '../../config/secretRef';

/** JetStream stream names: no whitespace, dots, wildcards or path separators. */
const STREAM_NAME = /^[^\s.*>/\\]+$/;

const NATS_URL = /^(nats|tls|ws|wss):\/\/[^\s]+$/;

function credentialsSchema(context: ConfigContext) {
  return z
    .object(
      {
        user: z.string(field('the NATS user name')).min(1).optional(),
        password: secretRefSchema(context, 'the NATS password').optional(),
        token: secretRefSchema(
          context,
          'the NATS authentication token',
        ).optional(),
        credsFile: localPath(
          context,
          'a NATS .creds file (JWT and NKey seed)',
        ).optional(),
      },
      field(
        'how the agent logs in: { user, password }, { token } or { credsFile }',
        'an object',
      ),
    )
    .strict()
    .superRefine((value, ctx) => {
      const forms = [
        value.user !== undefined || value.password !== undefined,
        value.token !== undefined,
        value.credsFile !== undefined,
      ];
      if (forms.filter(Boolean).length !== 1) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message:
            'must be exactly one of { user, password }, { token } or { credsFile }',
        });
      } else if (
        (value.user === undefined) !==
        (value.password === undefined)
      ) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [value.user === undefined ? 'user' : 'password'],
          message:
            'required together: set both user and password (password as { env: VAR } or { file: PATH })',
        });
      }
    });
}

export function natsSettingsSchema(context: ConfigContext) {
  const url = z
    .string(field('a NATS server URL such as nats://127.0.0.1:4222'))
    .regex(
      NATS_URL,
      'must be a NATS server URL such as nats://127.0.0.1:4222 (nats://, tls://, ws:// or wss://)',
    );
  return z
    .object({
      servers: z
        .union([url, z.array(url).min(1, 'needs at least one server URL')], {
          errorMap: (issue, ctx) =>
            issue.code === 'invalid_union'
              ? {
                  message:
                    'must be a NATS server URL such as nats://127.0.0.1:4222, or a list of them',
                }
              : { message: ctx.defaultError },
        })
        .transform(value => (Array.isArray(value) ? value : [value])),
      credentials: credentialsSchema(context).optional(),
      streams: z
        .array(
          z
            .string(field('a JetStream stream name'))
            .regex(
              STREAM_NAME,
              'must be a JetStream stream name (no spaces, ".", "*", ">" or slashes)',
            ),
          field(
            'the JetStream streams to back up (all streams when left out)',
            'a list',
          ),
        )
        .min(
          1,
          'needs at least one stream name; leave the field out to back up every stream',
        )
        .optional(),
    })
    .strict();
}

export type NatsSettings = z.infer<ReturnType<typeof natsSettingsSchema>>;
