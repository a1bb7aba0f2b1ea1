/**
 * Catalog annotations that declare a backup policy on an entity.
 * Documented in docs/annotations.md; keep both in step.
 */
export const ANNOTATION_PREFIX = 'safekeep.io/';

/** Which agent (a name from `backups.agents` in app-config) holds the target. */
export const ANNOTATION_AGENT = 'safekeep.io/agent';
/** The target's name in that agent's config. */
export const ANNOTATION_TARGET = 'safekeep.io/target';
/** The engine; optional, any engine name: a restore of a snapshot of another engine is refused. */
export const ANNOTATION_ENGINE = 'safekeep.io/engine';
/** When to back up: a cron expression or a shortcut, with an optional IANA time zone. */
export const ANNOTATION_SCHEDULE = 'safekeep.io/schedule';
/** Retention of the local tier, e.g. `keep-last=7 keep-daily=14 min=3`. */
export const ANNOTATION_RETENTION = 'safekeep.io/retention';
/** Retention of the offsite tier, same syntax. */
export const ANNOTATION_RETENTION_OFFSITE = 'safekeep.io/retention-offsite';
/** Recovery point objective: the oldest a last success may be, e.g. `26h`. */
export const ANNOTATION_RPO = 'safekeep.io/rpo';
/** On a System: the consistency group that covers the System's Resources. */
export const ANNOTATION_CONSISTENCY_GROUP = 'safekeep.io/consistency-group';
/** When to run a restore drill: the latest snapshot restored into a scratch destination and checked. */
export const ANNOTATION_RESTORE_DRILL = 'safekeep.io/restore-drill';
/**
 * Where drills restore to, on the same agent: the scratch destination (`restore --to`), e.g. a
 * database name for postgres, a file path for sqlite. Never the target's own data.
 */
export const ANNOTATION_RESTORE_DRILL_TARGET =
  'safekeep.io/restore-drill-target';

export const KNOWN_ANNOTATIONS = [
  ANNOTATION_AGENT,
  ANNOTATION_TARGET,
  ANNOTATION_ENGINE,
  ANNOTATION_SCHEDULE,
  ANNOTATION_RETENTION,
  ANNOTATION_RETENTION_OFFSITE,
  ANNOTATION_RPO,
  ANNOTATION_CONSISTENCY_GROUP,
  ANNOTATION_RESTORE_DRILL,
  ANNOTATION_RESTORE_DRILL_TARGET,
] as const;
