import type { TargetConfig } from '../config/loadConfig';
import { startContainers, stopContainers } from '../docker/containerLifecycle';
import type { SnapshotContext } from '../snapshots/SnapshotContext';
import { isPermanentError } from './permanentErrors';
import type { ResolvedGroup } from './resolveGroup';

/**
 * Runs one member's step while the containers it needs running (its tools run in them with
 * docker exec) are up: a container the group stopped is started for the step, the member's
 * server is waited for (its version query must answer; at most readyTimeoutSeconds, and an
 * error that waiting cannot cure, a refused login, fails at once), and the container is
 * stopped again afterwards. The rest of the group stays stopped, so nothing writes meanwhile.
 */
export async function withMemberContainers<T>(
  context: SnapshotContext,
  target: TargetConfig,
  stoppedByGroup: ReadonlySet<string>,
  group: Pick<ResolvedGroup, 'stopTimeoutSeconds' | 'readyTimeoutSeconds'>,
  onReady: (waitedMs: number) => void,
  use: () => Promise<T>,
): Promise<T> {
  const driver = context.driverFor(target);
  const needed = (driver.containerNeeds?.(target.settings) ?? [])
    .filter(
      need => need.state === 'running' && stoppedByGroup.has(need.container),
    )
    .map(need => need.container);
  if (needed.length === 0) return use();

  const docker = context.docker().docker;
  const started = await startContainers(docker, needed);
  try {
    if (started.failures.length > 0) {
      throw new Error(
        `cannot start ${started.failures
          .map(f => `${f.container} (${f.error})`)
          .join(', ')} for target ${target.name}`,
      );
    }
    context.log(
      `${target.name}: started ${needed.join(
        ', ',
      )} for its tools while the rest of the group stays stopped`,
    );
    const engineContext = context.engineContext(target);
    const waiting = Date.now();
    const deadline = waiting + group.readyTimeoutSeconds * 1000;
    for (;;) {
      try {
        await driver.serverVersion(target.settings, engineContext);
        onReady(Date.now() - waiting);
        break;
      } catch (error) {
        const permanent = isPermanentError(error as Error);
        if (permanent || Date.now() > deadline) {
          onReady(Date.now() - waiting);
          throw new Error(
            `${driver.describe(target.settings)} ${
              permanent
                ? 'refused the agent'
                : `did not answer within ${group.readyTimeoutSeconds} s`
            } after starting ${needed.join(', ')}: ${(error as Error).message}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    }
    return await use();
  } finally {
    const stopped = await stopContainers(
      docker,
      needed,
      group.stopTimeoutSeconds,
    );
    for (const failure of stopped.failures)
      context.log(
        `${target.name}: could not stop ${failure.container} again: ${failure.error}`,
      );
  }
}
