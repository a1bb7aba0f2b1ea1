import type Docker from 'dockerode';
import { startContainers } from '../docker/containerLifecycle';

interface Held {
  docker: Docker;
  containers: string[];
  what: string;
}

/**
 * Containers a group backup stopped and has not started again yet. If the agent is told to
 * stop (SIGTERM, SIGINT) or dies of an unhandled error in the middle of a group backup, the
 * process hooks start them again before the process ends: a backup must never leave an
 * application down. (A failed group restore leaves its containers stopped on purpose and does
 * not register them.)
 */
export class RestartGuard {
  private readonly held = new Map<symbol, Held>();
  private installed = false;

  /** Records stopped containers; the returned function forgets them (they were started). */
  hold(docker: Docker, containers: string[], what: string): () => void {
    const key = Symbol(what);
    this.held.set(key, { docker, containers, what });
    return () => {
      this.held.delete(key);
    };
  }

  /** What is held now, for reports and tests. */
  heldContainers(): string[] {
    return [...this.held.values()].flatMap(h => h.containers);
  }

  /** Starts everything held, in parallel; returns one line per container that did not start. */
  async restartAll(log: (message: string) => void): Promise<string[]> {
    const failures: string[] = [];
    const entries = [...this.held.entries()];
    this.held.clear();
    await Promise.all(
      entries.map(async ([, held]) => {
        log(`starting ${held.containers.join(', ')} again (stopped by ${held.what}) before the agent exits`);
        const result = await startContainers(held.docker, held.containers);
        failures.push(...result.failures.map(f => `${f.container}: ${f.error}`));
      }),
    );
    return failures;
  }

  /** Installs the signal and unhandled-error hooks once per process (the `serve` command does). */
  installProcessHooks(log: (message: string) => void): void {
    if (this.installed) return;
    this.installed = true;
    const restartThenExit = (code: number) => {
      void this.restartAll(log)
        .then(failures => failures.forEach(f => log(`could not start ${f}`)))
        .finally(() => process.exit(code));
    };
    process.once('SIGTERM', () => restartThenExit(143));
    process.once('SIGINT', () => restartThenExit(130));
    process.once('uncaughtException', error => {
      log(`unhandled error: ${error.stack ?? error.message}`);
      restartThenExit(1);
    });
    process.once('unhandledRejection', reason => {
      log(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
      restartThenExit(1);
    });
  }
}

/** The process-wide guard. */
export const restartGuard = new RestartGuard();
