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

/**
 * An entity's policy as this backend can carry it out: the annotations parsed by the
 * common parser, plus a check that the named agent is configured here.
 */
export function resolveEntityPolicy(entity: Entity, context: PolicyContext): PolicyParseResult {
  const parsed = parseBackupPolicy(entity, { defaultTimeZone: context.defaultTimeZone });
  if (parsed.status !== 'configured') return parsed;
  const agent = parsed.policy.agent;
  if (!context.agentNames.includes(agent)) {
    const known = context.agentNames.length > 0 ? context.agentNames.join(', ') : 'none';
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
