import { z } from 'zod';
import { withoutUrlCredentials } from './withoutUrlCredentials';

/**
 * Shapes of the agent's answers the backend relies on (see AgentJob in the common package).
 * Checked on arrival so a wrong or partial answer is an error, never a recorded success.
 */
export const agentSnapshotSchema = z
  .object({
    id: z.string().min(1),
    target: z.string(),
    tier: z.string(),
    createdAt: z.string(),
    bytes: z.number().int().nonnegative(),
    rawBytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[a-f0-9]{64}$/, 'must be a hex sha256'),
    artifacts: z.array(
      z
        .object({ name: z.string(), bytes: z.number(), sha256: z.string() })
        .passthrough(),
    ),
    // Shown in the portal and stored with runs: never with credentials in it.
    location: z.string().transform(withoutUrlCredentials),
    engine: z.string(),
    engineVersion: z.string().nullable(),
    manifestVersion: z.number(),
  })
  .passthrough();

export const agentJobSchema = z
  .object({
    id: z.string().min(1),
    kind: z.enum(['backup', 'restore', 'verify', 'prune']),
    subject: z.object({
      kind: z.enum(['target', 'group']),
      name: z.string().min(1),
    }),
    state: z.enum(['running', 'succeeded', 'failed']),
    phase: z.string(),
    bytes: z.number().nonnegative(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    snapshots: z.array(agentSnapshotSchema).optional(),
    downtimeMs: z.number().nonnegative().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    error: z.string().optional(),
  })
  .passthrough();

export const agentConflictSchema = z
  .object({ error: z.string(), runningJobId: z.string() })
  .passthrough();

export const agentHealthSchema = z
  .object({
    status: z.literal('ok'),
    version: z.string(),
    name: z.string(),
    targets: z.number(),
  })
  .passthrough();

/** GET /v1/snapshots */
export const agentSnapshotListSchema = z
  .object({ snapshots: z.array(agentSnapshotSchema) })
  .passthrough();

/** GET /v1/targets; extra fields (such as containers a target stops) pass through. */
export const agentTargetListSchema = z
  .object({
    targets: z.array(
      z
        .object({
          name: z.string(),
          engine: z.string(),
          tiers: z.array(z.string()),
          source: z.string(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

/** POST /v1/restores { dryRun: true }: every refusal of a restore, nothing written. */
export const agentDryRunSchema = z
  .object({
    refusals: z.array(z.string()),
    refusalDetails: z
      .array(
        z
          .object({
            reason: z.string(),
            message: z.string(),
            forceable: z.boolean(),
          })
          .passthrough(),
      )
      .default([]),
    destination: z
      .object({
        empty: z.boolean().nullable(),
        summary: z.string(),
        serverVersion: z.string().nullable().optional(),
        description: z.string().optional(),
      })
      .passthrough(),
    verified: z.boolean(),
    containersToStop: z.array(z.string()).default([]),
  })
  .passthrough();

export type AgentDryRun = z.infer<typeof agentDryRunSchema>;

/** POST /v1/group-restores { dryRun: true }: the group's refusals, each naming its member. */
export const agentGroupDryRunSchema = z
  .object({
    group: z.string(),
    refusals: z.array(z.string()),
    /** Null when the agent's Docker Engine cannot say (a refusal then says why). */
    containersToStop: z.array(z.string()).nullable(),
  })
  .passthrough();

export type AgentGroupDryRun = z.infer<typeof agentGroupDryRunSchema>;

/** POST /v1/destinations/drop */
export const agentDropSchema = z
  .object({ target: z.string(), destination: z.string(), message: z.string() })
  .passthrough();

/** GET /v1/groups: consistency groups with the containers they stop now (null when unknown). */
export const agentGroupListSchema = z
  .object({
    groups: z.array(
      z
        .object({
          name: z.string(),
          targets: z.array(z.string()),
          containers: z.array(z.string()).nullable(),
          problem: z.string().optional(),
        })
        .passthrough(),
    ),
  })
  .passthrough();

export type AgentGroup = z.infer<typeof agentGroupListSchema>['groups'][number];
