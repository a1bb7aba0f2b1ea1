import { z } from 'zod';
import { field } from '../config/describeField';

const LABEL_SELECTOR = /^[^=\s]+(=[^\s]*)?$/;

/** How a group backup holds its data still (docs/agent.md, "Consistency groups"). */
export const GROUP_MODES = ['cut', 'stop-all'] as const;
export type GroupMode = (typeof GROUP_MODES)[number];

/**
 * A consistency group: its targets (the stores) and the containers around them. In `cut` mode
 * (the default) only the writers are stopped (docker stop, never pause) while every store fixes
 * its point in time, and the dumps stream after they run again; `stop-all` stops every
 * container for the whole backup, as the seeds' scripts did.
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
        mode: z
          .enum(GROUP_MODES, {
            errorMap: () => ({
              message:
                'must be "cut" (stop the writers while each store fixes its point in time; the default) or "stop-all" (stop every container for the whole backup)',
            }),
          })
          .default('cut'),
        writers: z
          .array(
            z.string(field('a container name')).min(1),
            field(
              "the containers that write to the stores (the application), stopped during the cut; default: the group's containers labelled safekeep.io/role=writer, else all but the stores' own containers",
              'a list',
            ),
          )
          .optional(),
        readyTimeoutSeconds: z
          .number(
            field(
              'how long a stopped store may take to answer after it is started for its dump (stop-all mode; default 60)',
              'a number',
            ),
          )
          .int()
          .min(1)
          .max(3600)
          .default(60),
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
