import fsp from 'node:fs/promises';
import path from 'node:path';
import type { TargetConfig } from '../config/loadConfig';
import { dockerStatus } from '../docker/dockerErrors';
import { formatBytes } from '../cli/formatBytes';
import type { SnapshotContext } from '../snapshots/SnapshotContext';
import type { ResolvedGroup } from './resolveGroup';

export interface MemberPreflight {
  target: string;
  problems: string[];
  stagingBytes: number;
  ms: number;
}

/** A group backup or restore refused by its preflight: nothing was stopped. */
export class GroupPreflightError extends Error {
  constructor(readonly group: string, readonly members: MemberPreflight[]) {
    super(
      `group ${group}: refused before anything was stopped: ${members
        .filter(m => m.problems.length > 0)
        .map(m => `target ${m.target}: ${m.problems.join('; ')}`)
        .join('; ')}`,
    );
    this.name = 'GroupPreflightError';
  }
}

/** The containers a member's tools need exist, and run when they must. */
async function containerProblems(
  context: SnapshotContext,
  target: TargetConfig,
): Promise<string[]> {
  const needs =
    context.driverFor(target).containerNeeds?.(target.settings) ?? [];
  const problems: string[] = [];
  for (const need of needs) {
    try {
      const info = await context
        .docker()
        .docker.getContainer(need.container)
        .inspect();
      if (need.state === 'running' && !info.State.Running)
        problems.push(
          `container ${need.container} is not running (its tools run in it with docker exec); start it (docker start ${need.container})`,
        );
    } catch (error) {
      problems.push(
        dockerStatus(error) === 404
          ? `container ${need.container} does not exist on the Docker Engine; fix targets.${target.name}.container (docker ps lists the names)`
          : `cannot inspect container ${need.container}: ${
              (error as Error).message
            }`,
      );
    }
  }
  return problems;
}

async function preflightMember(
  context: SnapshotContext,
  target: TargetConfig,
  engineChecks: boolean,
  /** A cut: the member's stagedCopyBytes count too (see takeCut). */
  staged: boolean,
): Promise<MemberPreflight> {
  const started = Date.now();
  const driver = context.driverFor(target);
  const problems = await containerProblems(context, target);
  let stagingBytes = 0;
  // The server's login is tried only when its container is there to answer.
  if (problems.length === 0) {
    const engineContext = context.engineContext(target);
    try {
      await driver.serverVersion(target.settings, engineContext);
      const found = engineChecks
        ? await driver.preflight?.(target.settings, engineContext)
        : undefined;
      problems.push(...(found?.problems ?? []));
      stagingBytes =
        (found?.stagingBytes ?? 0) + (staged ? found?.stagedCopyBytes ?? 0 : 0);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return {
    target: target.name,
    problems,
    stagingBytes,
    ms: Date.now() - started,
  };
}

/** The nearest folder that exists (staging is created on first use). */
async function existingFolder(folder: string): Promise<string> {
  for (let at = path.resolve(folder); ; at = path.dirname(at)) {
    if (
      await fsp.stat(at).then(
        s => s.isDirectory(),
        () => false,
      )
    )
      return at;
    if (path.dirname(at) === at) return at;
  }
}

/**
 * Checks every member of a group, in parallel and without side effects, before anything is
 * stopped: its containers, its login (the server version query), the engine's own preflight
 * (permissions, tools), and room in the staging folder for what the members stage (in `cut`
 * mode also the raw copies of volumes and folders and MariaDB's dumps). Throws a
 * GroupPreflightError naming each failing member and its fix.
 */
export async function preflightGroup(
  context: SnapshotContext,
  group: Pick<ResolvedGroup, 'name' | 'targets'> &
    Partial<Pick<ResolvedGroup, 'mode'>>,
  /** false for a restore: only containers and logins (its own checks follow in prepareRestore). */
  options: { engineChecks: boolean } = { engineChecks: true },
): Promise<MemberPreflight[]> {
  const members = await Promise.all(
    group.targets.map(target =>
      preflightMember(
        context,
        target,
        options.engineChecks,
        group.mode === 'cut',
      ),
    ),
  );
  const staged = members.reduce((sum, m) => sum + m.stagingBytes, 0);
  if (staged > 0) {
    const staging = context.engineContext(group.targets[0]).stagingDir;
    const stats = await fsp.statfs(await existingFolder(staging));
    const free = stats.bavail * stats.bsize;
    if (free < staged * 1.1) {
      const first = members.find(m => m.stagingBytes > 0)!;
      first.problems.push(
        `the staging folder ${staging} has ${formatBytes(
          free,
        )} free and the group's members stage about ${formatBytes(
          staged,
        )}; free space there or set agent.staging to a larger disk`,
      );
    }
  }
  if (members.some(m => m.problems.length > 0))
    throw new GroupPreflightError(group.name, members);
  return members;
}
