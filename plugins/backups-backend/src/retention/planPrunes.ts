import {
  ANNOTATION_RETENTION,
  ANNOTATION_RETENTION_OFFSITE,
  BackupPolicy,
} from '@safekeep/plugin-backups-common';
import type { StoredRun } from '../runs/BackupsStore';
import type { NewPrune } from './PrunesStore';

/**
 * The prunes a succeeded run calls for: `safekeep.io/retention` applies to the first tier the
 * agent stored the snapshot in, `safekeep.io/retention-offsite` to the second. The tier names
 * come from the run's own snapshots (primary first), so they are the agent's real tier names.
 * A policy for a tier the target does not have is recorded as a failed prune that says so.
 */
export function planPrunes(run: StoredRun, policy: BackupPolicy): NewPrune[] {
  const tiers = [...new Set((run.tiers ?? []).map(snapshot => snapshot.tier))];
  const rules = [
    {
      annotation: ANNOTATION_RETENTION,
      retention: policy.retention,
      position: 0,
      label: 'first',
    },
    {
      annotation: ANNOTATION_RETENTION_OFFSITE,
      retention: policy.retentionOffsite,
      position: 1,
      label: 'second',
    },
  ];
  const prunes: NewPrune[] = [];
  for (const rule of rules) {
    if (!rule.retention) continue;
    const base = {
      runId: run.id,
      entityRef: run.entityRef,
      agent: run.agent,
      target: run.target,
      retentionAnnotation: rule.annotation,
      retention: rule.retention,
    };
    const tier = tiers[rule.position];
    if (tier) {
      prunes.push({ ...base, tier });
    } else {
      const stored = tiers.length > 0 ? tiers.join(', ') : 'no tier';
      prunes.push({
        ...base,
        tier: '(none)',
        error: `${rule.annotation} applies to the ${rule.label} storage tier, but target "${run.target}" on agent "${run.agent}" stored this backup in ${stored} only: add a ${rule.label} tier to the target in the agent's config, or remove the annotation.`,
      });
    }
  }
  return prunes;
}
