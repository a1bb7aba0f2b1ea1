import { z } from 'zod';
import type { PruneOutcome } from './PrunesStore';

/** `details` of a finished agent prune job (docs/agent.md): one entry per tier pruned. */
const pruneDetailsSchema = z
  .object({
    dryRun: z.boolean(),
    tiers: z
      .array(
        z
          .object({
            tier: z.string(),
            kept: z.array(z.object({ id: z.string() }).passthrough()),
            pruned: z.array(z.string()),
            incompleteRemoved: z.array(z.string()).default([]),
          })
          .passthrough(),
      )
      .min(1),
  })
  .passthrough();

/** What a succeeded prune job removed from `tier`; a failure outcome when the answer makes no sense. */
export function pruneOutcomeFromDetails(
  details: unknown,
  tier: string,
): PruneOutcome {
  const parsed = pruneDetailsSchema.safeParse(details);
  if (!parsed.success) {
    return {
      status: 'failed',
      error: `The agent reported the prune done, but its details are not in the expected shape (${parsed.error.issues
        .map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .slice(0, 3)
        .join('; ')}); are the agent and backend versions compatible?`,
    };
  }
  if (parsed.data.dryRun) {
    return {
      status: 'failed',
      error: 'The agent ran the prune as a dry run; nothing was removed.',
    };
  }
  const result =
    parsed.data.tiers.find(t => t.tier === tier) ?? parsed.data.tiers[0];
  return {
    status: 'succeeded',
    pruned: result.pruned,
    incompleteRemoved: result.incompleteRemoved,
    keptCount: result.kept.length,
  };
}
