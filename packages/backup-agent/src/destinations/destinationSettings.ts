import path from 'node:path';
import { z } from 'zod';
import type { ConfigContext } from '../config/ConfigContext';
import { field } from '../config/describeField';
import { NAME_PATTERN } from '../config/namePattern';

/**
 * The restore destinations a target allows besides itself (`targets.<name>.destinations`). A
 * request names one; it never carries a host or a path of its own.
 *
 * - `scratch: app_scratch` (any text): a named destination, in the engine's `restore --to`
 *   form: a database (`app_scratch`), a server and database (`10.0.0.5:5432/app_copy`), a
 *   Redis or NATS server, a file or folder path.
 * - `restores: { folder: /var/restores }`: a declared root; a request may name
 *   `restores/<sub-folder>`, and only folders under that root.
 */
export function destinationSettingsSchema(context: ConfigContext) {
  return z
    .record(
      z
        .string()
        .regex(
          NAME_PATTERN,
          'must be a name of letters, digits, ".", "_" or "-": a destination name',
        ),
      z.union(
        [
          z
            .string(field('a restore destination in the restore --to form'))
            .min(1, 'must not be empty: a restore destination'),
          z
            .object({
              folder: z
                .string(
                  field('a folder whose sub-folders may be restored into'),
                )
                .min(1)
                .transform(value => path.resolve(context.resolvePath(value))),
            })
            .strict(),
        ],
        {
          errorMap: () => ({
            message:
              'must be a destination (e.g. app_scratch, 10.0.0.5:5432/app_copy, /srv/scratch) or { folder: /var/restores }',
          }),
        },
      ),
      field(
        'the restore destinations this target allows besides itself, by name',
        'an object',
      ),
    )
    .default({});
}

export type DestinationSettings = z.infer<
  ReturnType<typeof destinationSettingsSchema>
>;
