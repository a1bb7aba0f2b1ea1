import type Docker from 'dockerode';
import { startContainers } from '../docker/containerLifecycle';
import { removeLiveAgentContainers } from '../docker/liveAgentContainers';
import { removeLiveStagedCopies } from '../engines/stagedCopy';

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
        log(
          `starting ${held.containers.join(', ')} again (stopped by ${
            held.what
          }) before the agent exits`,
        );
        const result = await startContainers(held.docker, held.containers);
        failures.push(
          ...result.failures.map(f => `${f.container}: ${f.error}`),
        );
      }),
    );
    return failures;
  }

  /**
   * Installs the unhandled-error hooks once per process, and with `signals` also SIGTERM and
   * SIGINT (the CLI's one-shot backup; `serve` handles signals itself by finishing its jobs,
   * whose own finally starts the containers).
   */
  installProcessHooks(
    log: (message: string) => void,
    options: { signals: boolean },
  ): void {
    if (this.installed) return;
    this.installed = true;
    const restartThenExit = (code: number) => {
      void this.restartAll(log)
        .then(failures => failures.forEach(f => log(`could not start ${f}`)))
        // Helpers, siblings and staged copies of the interrupted run would otherwise stay behind.
        .then(() => {
          const copies = removeLiveStagedCopies();
          if (copies > 0)
            log(`could not delete ${copies} staged copy(ies) in agent.staging`);
        })
        .then(() => removeLiveAgentContainers())
        .then(
          left =>
            left > 0 &&
            log(
              `could not remove ${left} helper/sibling container(s); docker ps -a --filter label=safekeep.io/created-by`,
            ),
        )
        .finally(() => process.exit(code));
    };
    if (options.signals) {
      process.once('SIGTERM', () => restartThenExit(143));
      process.once('SIGINT', () => restartThenExit(130));
    }
    process.once('uncaughtException', error => {
      log(`unhandled error: ${error.stack ?? error.message}`);
      restartThenExit(1);
    });
    process.once('unhandledRejection', reason => {
      log(
        `unhandled rejection: ${
          reason instanceof Error
            ? reason.stack ?? reason.message
            : String(reason)
        }`,
      );
      restartThenExit(1);
    });
  }
}

/** The process-wide guard. */
export const restartGuard = new RestartGuard();
