import type { Entity } from '@backstage/catalog-model';
import {
  ANNOTATION_AGENT,
  ANNOTATION_CONSISTENCY_GROUP,
  ANNOTATION_ENGINE,
  ANNOTATION_PREFIX,
  ANNOTATION_RESTORE_DRILL,
  ANNOTATION_RESTORE_DRILL_TARGET,
  ANNOTATION_RETENTION,
  ANNOTATION_RETENTION_OFFSITE,
  ANNOTATION_RPO,
  ANNOTATION_SCHEDULE,
  ANNOTATION_TARGET,
  KNOWN_ANNOTATIONS,
} from './keys';
import { Engine, isEngineName, KNOWN_ENGINES } from './engines';
import { parseDuration } from './duration';
import { BackupSchedule, parseSchedule } from './schedule';
import { parseRetention, RetentionPolicy } from './retention';

/** What an entity's annotations ask for. */
export interface BackupPolicy {
  agent: string;
  target: string;
  engine?: Engine;
  schedule?: BackupSchedule;
  retention?: RetentionPolicy;
  retentionOffsite?: RetentionPolicy;
  rpoMs?: number;
  /** A scheduled restore of the latest snapshot into a scratch destination, then checked. */
  restoreDrill?: RestoreDrillPolicy;
}

/** `safekeep.io/restore-drill` with `safekeep.io/restore-drill-target`. */
export interface RestoreDrillPolicy {
  schedule: BackupSchedule;
  /** The scratch destination on the same agent (`restore --to`): a database name or a path. */
  destination: string;
}

/** One thing wrong with one annotation, said so a person can fix it. */
export interface AnnotationProblem {
  annotation: string;
  value?: string;
  message: string;
}

export type PolicyParseResult =
  | { status: 'configured'; policy: BackupPolicy }
  | { status: 'unconfigured' }
  | { status: 'invalid'; problems: AnnotationProblem[] };

const NAME_PATTERN = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/i;

function hasControlCharacter(text: string): boolean {
  return [...text].some(char => char.charCodeAt(0) < 0x20);
}

/** True when the entity carries any Safekeep annotation other than the group marker. */
export function hasBackupAnnotations(entity: Entity): boolean {
  return Object.keys(entity.metadata.annotations ?? {}).some(
    key =>
      key.startsWith(ANNOTATION_PREFIX) && key !== ANNOTATION_CONSISTENCY_GROUP,
  );
}

/**
 * Reads an entity's backup policy from its annotations. Never throws: every problem is
 * returned with the annotation it concerns and a message that says how to fix it.
 */
export function parseBackupPolicy(
  entity: Entity,
  options?: { defaultTimeZone?: string },
): PolicyParseResult {
  const annotations = entity.metadata.annotations ?? {};
  if (!hasBackupAnnotations(entity)) return { status: 'unconfigured' };

  const problems: AnnotationProblem[] = [];
  const read = (key: string) => {
    const value = annotations[key];
    return typeof value === 'string' ? value.trim() : undefined;
  };

  for (const key of Object.keys(annotations)) {
    if (
      key.startsWith(ANNOTATION_PREFIX) &&
      !(KNOWN_ANNOTATIONS as readonly string[]).includes(key)
    ) {
      problems.push({
        annotation: key,
        value: annotations[key],
        message: `unknown annotation; known ones are ${KNOWN_ANNOTATIONS.join(
          ', ',
        )}`,
      });
    }
  }

  const requireName = (key: string, what: string): string => {
    const value = read(key);
    if (!value) {
      problems.push({
        annotation: key,
        message: `missing: add ${key}: <${what}>`,
      });
      return '';
    }
    if (!NAME_PATTERN.test(value)) {
      problems.push({
        annotation: key,
        value,
        message: `"${value}" is not a valid ${what}: use letters, digits, ".", "_" or "-" (at most 64 characters)`,
      });
    }
    return value;
  };
  const agent = requireName(
    ANNOTATION_AGENT,
    'agent name from app-config backups.agents',
  );
  const target = requireName(
    ANNOTATION_TARGET,
    "target name from the agent's config",
  );

  const policy: BackupPolicy = { agent, target };

  const engine = read(ANNOTATION_ENGINE);
  if (engine !== undefined) {
    // Only the name's shape: an agent may register engines beyond the known ones, and the
    // backend holds the policy to what the agent reports (the restore preview refuses a
    // snapshot of another engine).
    if (isEngineName(engine)) policy.engine = engine;
    else
      problems.push({
        annotation: ANNOTATION_ENGINE,
        value: engine,
        message: `"${engine}" is not an engine name (lower-case letters, digits, ".", "_" or "-"); use one of ${KNOWN_ENGINES.join(
          ', ',
        )}, or the engine the agent reports for the target`,
      });
  }

  const schedule = read(ANNOTATION_SCHEDULE);
  if (schedule !== undefined) {
    const parsed = parseSchedule(schedule, options?.defaultTimeZone);
    if ('error' in parsed)
      problems.push({
        annotation: ANNOTATION_SCHEDULE,
        value: schedule,
        message: parsed.error,
      });
    else policy.schedule = parsed;
  }

  for (const [key, field] of [
    [ANNOTATION_RETENTION, 'retention'],
    [ANNOTATION_RETENTION_OFFSITE, 'retentionOffsite'],
  ] as const) {
    const text = read(key);
    if (text === undefined) continue;
    const parsed = parseRetention(text);
    if ('error' in parsed)
      problems.push({ annotation: key, value: text, message: parsed.error });
    else policy[field] = parsed;
  }

  const rpo = read(ANNOTATION_RPO);
  if (rpo !== undefined) {
    const ms = parseDuration(rpo);
    if (ms === undefined) {
      problems.push({
        annotation: ANNOTATION_RPO,
        value: rpo,
        message: `"${rpo}" is not a duration; write for example 1h, 26h or 7d`,
      });
    } else {
      policy.rpoMs = ms;
    }
  }

  const drill = parseRestoreDrill(
    read(ANNOTATION_RESTORE_DRILL),
    read(ANNOTATION_RESTORE_DRILL_TARGET),
    options?.defaultTimeZone,
  );
  if ('problems' in drill) problems.push(...drill.problems);
  else if (drill.policy) policy.restoreDrill = drill.policy;

  return problems.length > 0
    ? { status: 'invalid', problems }
    : { status: 'configured', policy };
}

/** Both drill annotations or neither; the destination is one token without control characters. */
function parseRestoreDrill(
  scheduleText: string | undefined,
  destination: string | undefined,
  defaultTimeZone?: string,
): { policy?: RestoreDrillPolicy } | { problems: AnnotationProblem[] } {
  if (scheduleText === undefined && destination === undefined) return {};
  const problems: AnnotationProblem[] = [];
  if (scheduleText === undefined) {
    problems.push({
      annotation: ANNOTATION_RESTORE_DRILL,
      message: `missing: ${ANNOTATION_RESTORE_DRILL_TARGET} is set, so add ${ANNOTATION_RESTORE_DRILL}: <schedule>, e.g. "weekly sunday 05:00 UTC"`,
    });
  }
  if (destination === undefined || destination === '') {
    problems.push({
      annotation: ANNOTATION_RESTORE_DRILL_TARGET,
      message: `missing: drills need a scratch destination on the same agent; add ${ANNOTATION_RESTORE_DRILL_TARGET}: <database name or path>, e.g. orders_drill`,
    });
  } else if (
    /\s/.test(destination) ||
    hasControlCharacter(destination) ||
    destination.length > 255
  ) {
    problems.push({
      annotation: ANNOTATION_RESTORE_DRILL_TARGET,
      value: destination,
      message: `"${destination}" is not a scratch destination: write one database name (or host:port/database) or one path, without spaces, at most 255 characters`,
    });
  }
  let schedule: BackupSchedule | undefined;
  if (scheduleText !== undefined) {
    const parsed = parseSchedule(scheduleText, defaultTimeZone);
    if ('error' in parsed)
      problems.push({
        annotation: ANNOTATION_RESTORE_DRILL,
        value: scheduleText,
        message: parsed.error,
      });
    else schedule = parsed;
  }
  if (problems.length > 0 || !schedule || !destination) return { problems };
  return { policy: { schedule, destination } };
}

/** The annotations to paste into catalog-info.yaml for a new policy; shown by the UI's empty state. */
export function exampleAnnotations(
  engine: Engine = 'postgres',
): Record<string, string> {
  return {
    [ANNOTATION_AGENT]: 'my-host',
    [ANNOTATION_TARGET]: 'my-database',
    [ANNOTATION_ENGINE]: engine,
    [ANNOTATION_SCHEDULE]: 'daily 01:00 Europe/Zurich',
    [ANNOTATION_RETENTION]: 'keep-last=7 keep-daily=14 min=3',
    [ANNOTATION_RPO]: '26h',
  };
}
