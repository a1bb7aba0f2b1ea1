import { z } from 'zod';
import type { ConfigContext } from '../config/ConfigContext';
import { field } from '../config/describeField';
import { localPath } from '../config/localPath';
import { secretRefSchema } from '../config/secretRef';

/** The image helper containers (volume tarballs) run from when the config names none. */
export const DEFAULT_HELPER_IMAGE = 'busybox:1.36';

function tlsSchema(context: ConfigContext) {
  return z
    .object(
      {
        ca: secretRefSchema(
          context,
          "the CA certificate (PEM) that signed the Docker Engine's certificate",
        ),
        cert: secretRefSchema(context, "the agent's client certificate (PEM)"),
        key: secretRefSchema(context, "the agent's client key (PEM)"),
      },
      field('TLS files for a Docker Engine reached over TCP', 'an object'),
    )
    .strict();
}

/**
 * How the agent reaches the Docker Engine: the local socket (default: DOCKER_HOST, else
 * /var/run/docker.sock), another socket path (a socket proxy), or TCP with TLS.
 */
export function dockerSettingsSchema(context: ConfigContext) {
  return z
    .object(
      {
        socketPath: localPath(
          context,
          'the Docker Engine socket, e.g. /var/run/docker.sock',
        ).optional(),
        host: z
          .string(field('the Docker Engine host, for a TCP endpoint'))
          .min(1)
          .optional(),
        port: z
          .number(
            field(
              'the Docker Engine TCP port (2376 with TLS, 2375 without)',
              'a number',
            ),
          )
          .int()
          .min(1)
          .max(65535)
          .optional(),
        tls: tlsSchema(context).optional(),
        helperImage: z
          .string(
            field(
              'the image helper containers run from (it needs sh and tar), e.g. busybox:1.36',
            ),
          )
          .min(1)
          .default(DEFAULT_HELPER_IMAGE),
        stopTimeoutSeconds: z
          .number(
            field(
              'how long docker stop waits before it kills a container',
              'a number',
            ),
          )
          .int()
          .min(0)
          .max(3600)
          .default(30),
        discoverLabels: z
          .boolean(
            field(
              'whether containers labelled safekeep.io/engine become targets',
              'true or false',
            ),
          )
          .default(true),
      },
      field('how the agent reaches the Docker Engine', 'an object'),
    )
    .strict()
    .superRefine((settings, ctx) => {
      if (settings.socketPath && settings.host) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['host'],
          message: 'give either socketPath or host (TCP), not both',
        });
      }
      if (!settings.host && (settings.port !== undefined || settings.tls)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [settings.tls ? 'tls' : 'port'],
          message:
            'applies to a TCP endpoint only: set host as well, or leave it out to use the local socket',
        });
      }
    });
}

export type DockerSettings = z.infer<ReturnType<typeof dockerSettingsSchema>>;

/** Docker settings when the config has no docker section: the local engine, default helper image. */
export function defaultDockerSettings(): DockerSettings {
  return {
    helperImage: DEFAULT_HELPER_IMAGE,
    stopTimeoutSeconds: 30,
    discoverLabels: true,
  };
}
