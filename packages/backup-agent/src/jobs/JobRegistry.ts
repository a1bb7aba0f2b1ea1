import { randomUUID } from 'node:crypto';
import type {
  AgentJob,
  AgentJobKind,
  AgentJobSubject,
  AgentSnapshot,
} from '@safekeep/plugin-backups-common';
import type { Progress } from '../snapshots/SnapshotContext';

/** For people: `target "app-db"`, `group "shop"`. */
export function describeSubject(subject: AgentJobSubject): string {
  return `${subject.kind} "${subject.name}"`;
}

/**
 * What a job holds while it runs: its subject, and a group's member targets besides. A group
 * and a target of the same name never collide: the kind is part of the key.
 */
function lockOf(subject: AgentJobSubject): string {
  return `${subject.kind}:${subject.name}`;
}

/** A second job for a target (or a group holding it) while one runs. */
export class JobConflictError extends Error {
  constructor(
    readonly runningJob: AgentJob,
    busy: AgentJobSubject = runningJob.subject,
  ) {
    const by =
      lockOf(runningJob.subject) === lockOf(busy)
        ? ''
        : ` (as part of ${describeSubject(runningJob.subject)})`;
    super(
      `${describeSubject(busy)} already has a ${
        runningJob.kind
      } job running${by} (${runningJob.id}); wait for it to finish`,
    );
    this.name = 'JobConflictError';
  }
}

/** What a job's work reports. `error` marks it failed while keeping what it did achieve. */
export interface JobOutcome {
  snapshots?: AgentSnapshot[];
  details?: Record<string, unknown>;
  /** Downtime caused by stopping containers (first stop to last start). */
  downtimeMs?: number;
  error?: string;
}

export interface JobOptions {
  /** Further targets the job works on (a group's members): each is locked like the subject. */
  alsoLocks?: string[];
}

export type JobWork = (
  report: (progress: Progress) => void,
) => Promise<JobOutcome>;

const KEEP_FINISHED = 500;

/**
 * Jobs in memory, one at a time per target: two runs against the same database or folder
 * (a restore during a backup, a prune during a backup) must never overlap.
 */
export class JobRegistry {
  private readonly jobs = new Map<string, AgentJob>();
  /** Job id by lock (lockOf): its subject and a group's members. */
  private readonly runningByTarget = new Map<string, string>();
  private readonly settled = new Map<string, Promise<AgentJob>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Starts a job, or throws JobConflictError when the subject (or one of `alsoLocks`) is busy. Returns at once. */
  start(
    kind: AgentJobKind,
    subject: AgentJobSubject,
    work: JobWork,
    options: JobOptions = {},
  ): AgentJob {
    const held: AgentJobSubject[] = [
      subject,
      ...(options.alsoLocks ?? []).map(name => ({
        kind: 'target' as const,
        name,
      })),
    ];
    for (const busy of held) {
      const runningId = this.runningByTarget.get(lockOf(busy));
      if (runningId) throw new JobConflictError(this.get(runningId)!, busy);
    }
    const locks = held.map(lockOf);

    const job: AgentJob = {
      id: `job-${randomUUID()}`,
      kind,
      subject: { ...subject },
      state: 'running',
      phase: 'starting',
      bytes: 0,
      startedAt: this.now().toISOString(),
    };
    this.jobs.set(job.id, job);
    for (const lock of locks) this.runningByTarget.set(lock, job.id);

    const report = (progress: Progress) => {
      job.phase = progress.phase;
      job.bytes = progress.bytes;
    };
    const done = Promise.resolve()
      .then(() => work(report))
      .then(
        outcome => {
          if (outcome.snapshots) job.snapshots = outcome.snapshots;
          if (outcome.details) job.details = outcome.details;
          if (outcome.downtimeMs !== undefined)
            job.downtimeMs = outcome.downtimeMs;
          if (outcome.error) {
            job.state = 'failed';
            job.error = outcome.error;
          } else {
            job.state = 'succeeded';
            job.phase = 'done';
          }
        },
        error => {
          job.state = 'failed';
          job.error = error instanceof Error ? error.message : String(error);
        },
      )
      .then(() => {
        job.finishedAt = this.now().toISOString();
        for (const lock of locks) this.runningByTarget.delete(lock);
        this.forgetOldJobs();
        return { ...job };
      });
    this.settled.set(job.id, done);
    return { ...job };
  }

  /** A copy of the job as it is now. */
  get(id: string): AgentJob | undefined {
    const job = this.jobs.get(id);
    return job ? { ...job } : undefined;
  }

  list(): AgentJob[] {
    return [...this.jobs.values()].map(job => ({ ...job }));
  }

  /** Resolves with the finished job. */
  async waitFor(id: string): Promise<AgentJob> {
    const done = this.settled.get(id);
    if (!done) throw new Error(`no job ${id}`);
    return done;
  }

  /** Resolves when no job is running. */
  async idle(): Promise<void> {
    await Promise.all(
      [...new Set(this.runningByTarget.values())].map(id =>
        this.settled.get(id),
      ),
    );
  }

  private forgetOldJobs(): void {
    const finished = [...this.jobs.values()].filter(j => j.state !== 'running');
    for (const job of finished.slice(
      0,
      Math.max(0, finished.length - KEEP_FINISHED),
    )) {
      this.jobs.delete(job.id);
      this.settled.delete(job.id);
    }
  }
}
