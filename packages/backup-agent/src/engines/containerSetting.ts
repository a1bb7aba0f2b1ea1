import { z } from 'zod';
import { field } from '../config/describeField';
import type { CommandRunner } from '../exec/CommandRunner';
import type { ContainerNeed, EngineContext } from './EngineDriver';

/** Where a target's tools run when it lives in a container, and how they reach the server from there. */
export interface ContainerSetting {
  /** The container's name (or id). */
  name: string;
  /** The server's host as seen from inside the container; default: the target's host. */
  host?: string;
  /** The server's port as seen from inside the container; default: the target's port. */
  port?: number;
}

/**
 * `container: db-1`, or `container: { name: db-1, host: 127.0.0.1, port: 5432 }` when the
 * address the agent uses (a published port) differs from the one inside the container.
 */
export function containerSettingSchema() {
  const object = z
    .object({
      name: z
        .string(field('the container the tools run in (docker exec)'))
        .min(1),
      host: z
        .string(field('the server host as seen from inside the container'))
        .min(1)
        .optional(),
      port: z
        .number(
          field(
            'the server port as seen from inside the container',
            'a number',
          ),
        )
        .int()
        .min(1)
        .max(65535)
        .optional(),
    })
    .strict();
  return z
    .union([z.string().min(1), object], {
      errorMap: () => ({
        message:
          'must be a container name, or { name, host?, port? } (the address of the server as seen inside the container)',
      }),
    })
    .transform(
      (value): ContainerSetting =>
        typeof value === 'string' ? { name: value } : value,
    );
}

/** The runner for a target's tools: docker exec in its container, or the driver's own (local) runner. */
export function toolRunner(
  local: CommandRunner,
  container: ContainerSetting | undefined,
  context: EngineContext,
): CommandRunner {
  return container ? context.docker().execRunner(container.name) : local;
}

/** Host and port the tools connect to: inside the container when one is set. */
export function toolEndpoint<
  S extends { host: string; port: number; container?: ContainerSetting },
>(settings: S): S {
  if (!settings.container) return settings;
  return {
    ...settings,
    host: settings.container.host ?? settings.host,
    port: settings.container.port ?? settings.port,
  };
}

/** Exec-based targets need their container running. */
export function execContainerNeeds(
  container: ContainerSetting | undefined,
): ContainerNeed[] {
  return container ? [{ container: container.name, state: 'running' }] : [];
}
