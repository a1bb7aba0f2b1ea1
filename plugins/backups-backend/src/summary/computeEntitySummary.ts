import {
  BackupHealth,
  EntityBackupSummary,
  formatDuration,
  formatRetention,
  PolicyParseResult,
} from '@safekeep/plugin-backups-common';
import type { EntityRunFacts } from '../runs/BackupsStore';
import { overlapWarning } from './scheduleOverlap';
import { slotsAround } from './scheduleSlots';
import { toBackupRun } from './toBackupRun';

/** Slack on top of one dispatch interval before a slot without a run counts as late. */
export const LATE_GRACE_MS = 60_000;

export interface SummaryInput {
  entityRef: string;
  policy: PolicyParseResult;
  facts: EntityRunFacts;
  now: Date;
  dispatchIntervalMs: number;
}

const FAILED_STATUSES = ['failed', 'partially_failed', 'interrupted'];

/** An entity's backup health and the facts behind it. Pure: the same input gives the same answer. */
export function computeEntitySummary(input: SummaryInput): EntityBackupSummary {
  const { entityRef, policy: parsed, facts, now } = input;
  const base = {
    entityRef,
    policy: null,
    problems: [],
    lastRun: null,
    lastSuccess: null,
    nextRunAt: null,
    runningRun: null,
    warnings: [],
  };
  if (parsed.status === 'unconfigured') {
    return {
      ...base,
      health: 'unconfigured',
      healthReason:
        'No backup policy: add safekeep.io/agent and safekeep.io/target annotations to protect this entity.',
    };
  }
  if (parsed.status === 'invalid') {
    const count = parsed.problems.length;
    return {
      ...base,
      health: 'invalid',
      healthReason: `The backup annotations have ${count} problem${
        count === 1 ? '' : 's'
      }; no backups run until they are fixed.`,
      problems: parsed.problems,
    };
  }

  const policy = parsed.policy;
  const lastRun = facts.lastFinished ? toBackupRun(facts.lastFinished) : null;
  const lastSuccess = facts.lastSuccess ? toBackupRun(facts.lastSuccess) : null;
  const runningRun = facts.active ? toBackupRun(facts.active) : null;

  let health: BackupHealth = 'ok';
  let healthReason: string;
  const successAt = lastSuccess?.finishedAt
    ? new Date(lastSuccess.finishedAt)
    : undefined;
  const slots = policy.schedule ? slotsAround(policy.schedule, now) : undefined;
  const slot = slots?.previous;
  // Late: the latest slot is older than one dispatch interval + grace, and no run (scheduled
  // for that slot, or asked for by someone since) exists for it.
  const createdSinceSlot = (run: { createdAt: string } | undefined) =>
    run !== undefined &&
    slot !== undefined &&
    new Date(run.createdAt).getTime() >= slot.getTime();
  const slotMissed =
    slot !== undefined &&
    now.getTime() - slot.getTime() > input.dispatchIntervalMs + LATE_GRACE_MS &&
    (!facts.latestScheduledSlot ||
      facts.latestScheduledSlot.getTime() < slot.getTime()) &&
    !createdSinceSlot(facts.lastFinished) &&
    !createdSinceSlot(facts.active);
  const overlap = policy.schedule
    ? overlapWarning(policy.schedule, facts.recentDurationsMs ?? [], now)
    : undefined;

  if (lastRun && FAILED_STATUSES.includes(lastRun.status)) {
    health = 'failing';
    healthReason = `The last backup (${
      lastRun.finishedAt
    }) ended ${lastRun.status.replace('_', ' ')}: ${
      lastRun.error ?? 'no reason recorded'
    }`;
  } else if (!successAt) {
    health = 'never';
    healthReason = runningRun
      ? `No backup has succeeded yet; one is ${runningRun.status}.`
      : 'No backup has succeeded yet.';
  } else if (
    policy.rpoMs !== undefined &&
    now.getTime() - successAt.getTime() > policy.rpoMs
  ) {
    health = 'stale';
    healthReason = `The last successful backup is ${formatDuration(
      now.getTime() - successAt.getTime(),
    )} old, more than the RPO of ${formatDuration(policy.rpoMs)}.`;
  } else if (slotMissed) {
    health = 'late';
    healthReason = `The backup scheduled for ${slot!.toISOString()} has not started.`;
  } else {
    healthReason = `The last backup succeeded at ${lastSuccess!.finishedAt}.`;
  }

  return {
    ...base,
    health,
    healthReason,
    policy: {
      agent: policy.agent,
      target: policy.target,
      engine: policy.engine ?? null,
      schedule: policy.schedule?.source ?? null,
      timeZone: policy.schedule?.timeZone ?? null,
      rpoMs: policy.rpoMs ?? null,
      retention: policy.retention ? formatRetention(policy.retention) : null,
      retentionOffsite: policy.retentionOffsite
        ? formatRetention(policy.retentionOffsite)
        : null,
      restoreDrill: policy.restoreDrill
        ? {
            schedule: policy.restoreDrill.schedule.source,
            destination: policy.restoreDrill.destination,
          }
        : null,
    },
    lastRun,
    lastSuccess,
    nextRunAt: slots ? slots.next.toISOString() : null,
    runningRun,
    warnings: overlap ? [overlap] : [],
  };
}
