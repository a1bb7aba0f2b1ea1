import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_AGENT,
  parseBackupPolicy,
  PolicyParseResult,
} from '@safekeep/plugin-backups-common';

export interface PolicyContext {
  /** Agent names from app-config backups.agents. */
  agentNames: string[];
  defaultTimeZone: string;
}

/** Parsed policies by annotations: parsing (cron validation above all) costs ~0.2 ms a policy. */
const parsedPolicies = new WeakMap<
  PolicyContext,
  Map<string, PolicyParseResult>
>();
const MAX_CACHED = 50_000;

/**
 * An entity's policy as this backend can carry it out: the annotations parsed by the
 * common parser, plus a check that the named agent is configured here. The result depends on
 * the annotations and the context only, so it is kept per context and annotations (a team
 * overview parses a hundred policies per request); callers must not change it.
 */
export function resolveEntityPolicy(
  entity: Entity,
  context: PolicyContext,
): PolicyParseResult {
  let cache = parsedPolicies.get(context);
  if (!cache) {
    cache = new Map();
    parsedPolicies.set(context, cache);
  }
  const key = JSON.stringify(entity.metadata.annotations ?? {});
  const cached = cache.get(key);
  if (cached) return cached;
  const result = resolveUncached(entity, context);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, result);
  return result;
}

function resolveUncached(
  entity: Entity,
  context: PolicyContext,
): PolicyParseResult {
  const parsed = parseBackupPolicy(entity, {
    defaultTimeZone: context.defaultTimeZone,
  });
  if (parsed.status !== 'configured') return parsed;
  const agent = parsed.policy.agent;
  if (!context.agentNames.includes(agent)) {
    const known =
      context.agentNames.length > 0 ? context.agentNames.join(', ') : 'none';
    return {
      status: 'invalid',
      problems: [
        {
          annotation: ANNOTATION_AGENT,
          value: agent,
          message: `no agent "${agent}" in app-config backups.agents (configured: ${known}); fix the annotation or add the agent there`,
        },
      ],
    };
  }
  return parsed;
}
