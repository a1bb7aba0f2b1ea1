import { z } from 'zod';
import type { ConfigContext } from '../../config/ConfigContext';
import { field } from '../../config/describeField';
import { localPath } from '../../config/localPath';
import { DEFAULT_DIRECTORY_EXCLUDES } from './defaultExcludes';
import { restoreSetuidBitsSchema } from './setuidBits';

export function directorySettingsSchema(context: ConfigContext) {
  return z
    .object({
      path: localPath(context, 'the folder to back up'),
      exclude: z
        .array(
          z.string(field('a name or path pattern to leave out')).min(1),
          field('names or path patterns to leave out', 'a list'),
        )
        .default([]),
      defaultExcludes: z
        .boolean(
          field(
            `whether to also leave out ${DEFAULT_DIRECTORY_EXCLUDES.join(
              ', ',
            )}`,
            'true or false',
          ),
        )
        .default(true),
      restoreSetuidBits: restoreSetuidBitsSchema(),
    })
    .strict()
    .transform(settings => ({
      path: settings.path,
      restoreSetuidBits: settings.restoreSetuidBits,
      exclude: [
        ...(settings.defaultExcludes ? DEFAULT_DIRECTORY_EXCLUDES : []),
        ...settings.exclude,
      ],
    }));
}

export type DirectorySettings = z.infer<
  ReturnType<typeof directorySettingsSchema>
>;
