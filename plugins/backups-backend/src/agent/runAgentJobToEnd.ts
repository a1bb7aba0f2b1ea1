import type { AgentJob } from '@safekeep/plugin-backups-common';
import type { StartBackupResult } from './AgentClient';

export interface JobPoller {
  getJob(id: string): Promise<AgentJob | undefined>;
}

export type JobRunResult =
  | { kind: 'finished'; job: AgentJob }
  /** Not finished (or not even started, the target being busy) before the deadline. */
  | { kind: 'timeout'; message: string };

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Starts an agent job and waits for its end, for work a person waits on (a preview's verify).
 * A busy target (409) is retried until the deadline; agent errors are thrown as they come.
 */
export async function runAgentJobToEnd(
  agent: JobPoller,
  start: () => Promise<StartBackupResult>,
  options: { timeoutMs: number; pollMs?: number; what: string },
): Promise<JobRunResult> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 250;
  let started: AgentJob | undefined;
  let busy = '';
  while (!started) {
    const result = await start();
    if (result.kind === 'started') {
      started = result.job;
      break;
    }
    busy = result.message;
    if (Date.now() + pollMs > deadline) {
      return {
        kind: 'timeout',
        message: `${options.what} could not start within ${Math.round(
          options.timeoutMs / 1000,
        )} s: ${busy}`,
      };
    }
    await sleep(pollMs);
  }
  let job: AgentJob | undefined = started;
  while (job.state === 'running') {
    if (Date.now() + pollMs > deadline) {
      return {
        kind: 'timeout',
        message: `${options.what} did not finish within ${Math.round(
          options.timeoutMs / 1000,
        )} s (agent job ${started.id}, phase ${job.phase})`,
      };
    }
    await sleep(pollMs);
    job = await agent.getJob(started.id);
    if (!job)
      return {
        kind: 'timeout',
        message: `${options.what}: the agent forgot job ${started.id} (did it restart?)`,
      };
  }
  return { kind: 'finished', job };
}
