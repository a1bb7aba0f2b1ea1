import { z } from 'zod';
import { field } from '../config/describeField';

const LABEL_SELECTOR = /^[^=\s]+(=[^\s]*)?$/;

/**
 * A consistency group: containers stopped together (docker stop, never pause) while the
 * group's targets are backed up or restored, then started again.
 */
export function groupSettingsSchema(nameSchema: z.ZodString) {
  return z
    .object(
      {
        containers: z
          .array(
            z.string(field('a container name')).min(1),
            field('the containers to stop, by name', 'a list'),
          )
          .min(1)
          .optional(),
        selector: z
          .object(
            {
              label: z
                .string(
                  field(
                    'a label filter such as com.docker.compose.project=lightrag (or just a label key)',
                  ),
                )
                .regex(
                  LABEL_SELECTOR,
                  'must be key=value or key, e.g. com.docker.compose.project=lightrag',
                ),
            },
            field('which containers to stop, by label', 'an object'),
          )
          .strict()
          .optional(),
        exclude: z
          .array(
            z.string(field('a container name prefix')).min(1),
            field(
              'name prefixes of containers that are never stopped, e.g. backup-, etcd, traefik',
              'a list',
            ),
          )
          .default([]),
        targets: z
          .array(
            nameSchema,
            field(
              'the targets backed up while the containers are stopped',
              'a list',
            ),
          )
          .min(1, 'must list at least one target'),
        stopTimeoutSeconds: z
          .number(
            field(
              'how long docker stop waits before it kills a container (default docker.stopTimeoutSeconds)',
              'a number',
            ),
          )
          .int()
          .min(0)
          .max(3600)
          .optional(),
      },
      field('the group settings', 'an object'),
    )
    .strict()
    .superRefine((group, ctx) => {
      if (!!group.containers === !!group.selector) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [group.containers ? 'selector' : 'containers'],
          message:
            'give exactly one of containers (a list of names) or selector ({ label: key=value })',
        });
      }
      if (new Set(group.targets).size !== group.targets.length) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['targets'],
          message: 'lists a target twice; name each target once',
        });
      }
    });
}

export type GroupSettings = z.infer<ReturnType<typeof groupSettingsSchema>>;

/** A group ready to use. `source` says whether it came from the config or from container labels. */
export interface GroupConfig extends GroupSettings {
  name: string;
  source: 'config' | 'label';
}
