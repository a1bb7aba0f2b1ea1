import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import {
  formatRetention,
  parseRetention,
  type AgentSnapshot,
} from '@safekeep/plugin-backups-common';
import { ConfigError } from '../config/ConfigError';
import { loadConfig } from '../config/loadConfig';
import { SecretError } from '../config/secretRef';
import { startAgentServer } from '../http/startAgentServer';
import {
  backupWork,
  dryRunWork,
  groupBackupWork,
  groupDryRunWork,
  groupRestoreWork,
  pruneWork,
  restoreWork,
  verifyWork,
} from '../jobs/agentOperations';
import type { GroupDryRunResult } from '../groups/dryRunGroupRestore';
import { restartGuard } from '../groups/restartGuard';
import type { GroupRestoreResult } from '../groups/restoreGroup';
import type { JobOutcome, JobWork } from '../jobs/JobRegistry';
import type { DryRunResult } from '../snapshots/dryRunRestore';
import type { PruneResult } from '../snapshots/pruneSnapshots';
import type { RestoreResult } from '../snapshots/restoreSnapshot';
import { holdStagingLock } from '../leftovers/agentLock';
import { SnapshotService } from '../snapshots/SnapshotService';
import type { VerifyResult } from '../snapshots/verifySnapshot';
import { AGENT_VERSION } from '../version';
import { catArtifact, catFromFolder } from './catCommand';
import { decryptWithKeyFile } from './decryptCommand';
import {
  describeDryRun,
  describeGroupDryRun,
  describeGroupRestore,
  describePrune,
  describeRestore,
  describeSnapshots,
  describeVerify,
} from './describeOutcome';
import { newestGroupWindow, parseGroupSelection } from './groupSelection';
import { ProgressMode, progressReporter } from './progressReporter';

/** Exit codes: 0 done, 1 the operation failed, 2 bad usage or config. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

interface CommonOptions {
  config: string;
  json?: boolean;
  progress?: ProgressMode;
}

interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (live progress line); default process.stderr.isTTY. */
  stderrIsTTY?: boolean;
  /** Byte streams for `decrypt`; default process.stdin and process.stdout. */
  binaryIn?: Readable;
  binaryOut?: Writable;
}

class UsageError extends Error {}

interface RestoreCliOptions {
  target?: string;
  group?: string;
  snapshot: string[];
  window?: string;
  tier?: string;
  force?: boolean;
  to?: string;
  from?: string;
  dryRun?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const defaultConfig = () =>
  process.env.SAFEKEEP_AGENT_CONFIG ?? 'safekeep-agent.yaml';

function withCommon(command: Command): Command {
  return command
    .addOption(
      new Option('-c, --config <file>', 'the agent config (YAML)').default(
        defaultConfig(),
        '$SAFEKEEP_AGENT_CONFIG or ./safekeep-agent.yaml',
      ),
    )
    .option('--json', 'print machine-readable JSON on stdout')
    .addOption(
      new Option(
        '--progress <mode>',
        'progress on stderr: auto (a live line on a terminal), json (JSON lines), none; default auto, none with --json',
      ).choices(['auto', 'json', 'none']),
    );
}

/**
 * The `safekeep-agent` command line. Returns the exit code instead of exiting, so tests can
 * run it in-process; `serve` resolves only when the server stops.
 */
const defaultIo: CliIo = {
  stdout: t => process.stdout.write(t),
  stderr: t => process.stderr.write(t),
};

export async function runCli(
  argv: string[],
  io: CliIo = defaultIo,
): Promise<number> {
  let exitCode = 0;
  const print = (lines: string[]) => io.stdout(`${lines.join('\n')}\n`);

  /** Runs one operation with progress on stderr, prints its result, sets the exit code. */
  const runOperation = async <T>(
    options: CommonOptions,
    work: (service: SnapshotService) => JobWork,
    human: (details: T, outcome: JobOutcome) => string[],
  ) => {
    const service = new SnapshotService(loadConfig(options.config), {
      log: message => io.stderr(`${message}\n`),
    });
    const progress = progressReporter(
      options.progress ?? (options.json ? 'none' : 'auto'),
      {
        write: io.stderr,
        isTTY:
          io.stderrIsTTY ??
          (io.stderr === defaultIo.stderr && process.stderr.isTTY),
      },
    );
    const started = Date.now();
    let outcome: JobOutcome;
    // While it runs, an agent starting beside it leaves its staging files and snapshot alone.
    const stagingLock = await holdStagingLock(service.config.agent.staging);
    try {
      outcome = await work(service)(progress.report);
    } finally {
      progress.finish();
      await stagingLock.release();
    }
    const elapsedSeconds = Number(((Date.now() - started) / 1000).toFixed(3));
    if (options.json)
      print([
        JSON.stringify(
          { ok: !outcome.error, ...outcome, elapsedSeconds },
          null,
          2,
        ),
      ]);
    else print(human(outcome.details as T, outcome));
    if (outcome.error) {
      if (!options.json) io.stderr(`safekeep-agent: ${outcome.error}\n`);
      exitCode = EXIT_FAILED;
    }
  };

  /** `restore --group`: the same work as POST /v1/group-restores, snapshots chosen from the flags. */
  const restoreGroupCommand = (
    options: CommonOptions & RestoreCliOptions & { group: string },
  ) => {
    if (options.to !== undefined)
      throw new UsageError(
        'a group is restored in place: --to is for --target',
      );
    if (options.from !== undefined)
      throw new UsageError(
        'a group is restored from its own snapshots: --from is for --target',
      );
    const parsed = parseGroupSelection(options.snapshot, options.window);
    if ('error' in parsed) throw new UsageError(parsed.error);
    const work =
      (service: SnapshotService): JobWork =>
      async report => {
        report({ phase: 'choosing snapshots', bytes: 0 });
        const selection =
          parsed.selection ??
          (await newestGroupWindow(service, options.group, options.tier));
        const chosen = {
          ...selection,
          tier: options.tier,
          force: options.force,
        };
        return (options.dryRun ? groupDryRunWork : groupRestoreWork)(
          service,
          options.group,
          chosen,
        )(report);
      };
    if (options.dryRun)
      return runOperation<GroupDryRunResult>(
        options,
        work,
        describeGroupDryRun,
      );
    return runOperation<GroupRestoreResult>(
      options,
      work,
      describeGroupRestore,
    );
  };

  const program = new Command('safekeep-agent')
    .description(
      'Safekeep host agent: backs up databases and folders to filesystem and S3 tiers, verifies and restores them.',
    )
    .version(AGENT_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  withCommon(
    program
      .command('serve')
      .description('run the HTTP API the Safekeep backend talks to'),
  )
    .option('--port <port>', 'override agent.listen.port', v => Number(v))
    .option('--host <host>', 'override agent.listen.host')
    .action(
      async (options: CommonOptions & { port?: number; host?: string }) => {
        // A crash must not leave a group's containers stopped; signals end jobs gracefully below.
        restartGuard.installProcessHooks(message => io.stderr(`${message}\n`), {
          signals: false,
        });
        const server = await startAgentServer(path.resolve(options.config), {
          port: options.port,
          host: options.host,
          log: message => io.stderr(`${message}\n`),
        });
        io.stderr(
          `safekeep-agent ${AGENT_VERSION} "${
            server.config.agent.name
          }" listening on ${server.url} with ${
            Object.keys(server.config.targets).length
          } target(s)\n`,
        );
        await new Promise<void>(resolve => {
          const stop = () => {
            io.stderr('safekeep-agent: stopping (waiting for running jobs)\n');
            server.close().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );

  withCommon(
    program
      .command('backup')
      .description(
        'back up one target, or a consistency group, now, to all its tiers',
      ),
  )
    .option('-t, --target <name>', 'the target to back up')
    .option(
      '-g, --group <name>',
      'the consistency group to back up (its containers are stopped meanwhile)',
    )
    .action((options: CommonOptions & { target?: string; group?: string }) => {
      if (!options.target === !options.group)
        throw new UsageError('give either --target or --group');
      if (options.group) {
        // Stopped containers are started again even if the backup is interrupted (Ctrl-C, kill).
        restartGuard.installProcessHooks(message => io.stderr(`${message}\n`), {
          signals: true,
        });
        return runOperation<Record<string, unknown>>(
          options,
          service => groupBackupWork(service, options.group!),
          (details, outcome) => [
            ...describeSnapshots(outcome.snapshots ?? []),
            `downtime: ${outcome.downtimeMs ?? 0} ms (${
              ((details.containers as unknown[]) ?? []).length
            } container(s))`,
          ],
        );
      }
      return runOperation<Record<string, unknown>>(
        options,
        service => backupWork(service, options.target!),
        (_details, outcome) => describeSnapshots(outcome.snapshots ?? []),
      );
    });

  withCommon(
    program
      .command('list')
      .description('list complete snapshots, newest first'),
  )
    .option('-t, --target <name>', 'only this target')
    .option('--tier <tier>', 'only this storage tier')
    .action(
      async (options: CommonOptions & { target?: string; tier?: string }) => {
        const service = new SnapshotService(loadConfig(options.config));
        const snapshots: AgentSnapshot[] = await service.list(
          options.target,
          options.tier,
        );
        print(
          options.json
            ? [JSON.stringify(snapshots, null, 2)]
            : describeSnapshots(snapshots),
        );
      },
    );

  withCommon(
    program
      .command('verify')
      .description(
        're-read a snapshot and compare every checksum with its manifest',
      ),
  )
    .requiredOption('-t, --target <name>', 'the target')
    .requiredOption(
      '-s, --snapshot <id>',
      'the snapshot id, e.g. 20260118T040000Z',
    )
    .option('--tier <tier>', 'only this tier (default: every tier that has it)')
    .option(
      '--from <target>',
      "a snapshot of this other target, read through the target's tiers (as restore --from reads it)",
    )
    .action(
      (
        options: CommonOptions & {
          target: string;
          snapshot: string;
          tier?: string;
          from?: string;
        },
      ) =>
        runOperation<VerifyResult>(
          options,
          service =>
            verifyWork(
              service,
              options.target,
              options.snapshot,
              options.tier,
              options.from,
            ),
          describeVerify,
        ),
    );

  withCommon(
    program
      .command('restore')
      .description(
        'restore a snapshot of a target, or a consistency group (checks everything before touching anything)',
      ),
  )
    .option('-t, --target <name>', 'the target')
    .option(
      '-g, --group <name>',
      'the consistency group: its containers are stopped, every member restored, and the containers started again only when all succeeded',
    )
    .option(
      '-s, --snapshot <id>',
      'the snapshot id, e.g. 20260118T040000Z; with --group one per member, --snapshot <target>=<id> (repeat it)',
      collect,
      [],
    )
    .option(
      '-w, --window <time>',
      "with --group: the backup started at TIME (a snapshot id or UTC time), or each member's newest in FROM/TO; default: the newest every member has",
    )
    .option(
      '--tier <tier>',
      'read from this tier (default: the first that has it)',
    )
    .option(
      '--force',
      'overwrite a destination that holds data (never overrides a version refusal)',
    )
    .option(
      '--to <path>',
      'restore somewhere else than the target itself (not with --group: a group is restored in place)',
    )
    .option(
      '--from <target>',
      "restore a snapshot of this other target into --target, read through --target's tiers: a staging copy, or another host sharing the storage",
    )
    .option(
      '--dry-run',
      'only run the checks and say what the restore would do (with --group also which containers it stops); writes and stops nothing',
    )
    .action((options: CommonOptions & RestoreCliOptions) => {
      if (!options.target === !options.group)
        throw new UsageError('give either --target or --group');
      if (options.group)
        return restoreGroupCommand({ ...options, group: options.group });
      if (options.window !== undefined)
        throw new UsageError(
          '--window is for --group; give the snapshot with --snapshot <id>',
        );
      if (options.from !== undefined && options.from === options.target)
        throw new UsageError('--from names the target itself: leave it out');
      if (options.snapshot.length !== 1)
        throw new UsageError(
          'give the snapshot once: --snapshot <id>, e.g. 20260118T040000Z',
        );
      const checks = {
        tier: options.tier,
        force: options.force,
        destination: options.to,
        from: options.from,
      };
      if (options.dryRun) {
        return runOperation<DryRunResult>(
          options,
          service =>
            dryRunWork(service, options.target!, options.snapshot[0], checks),
          describeDryRun,
        );
      }
      return runOperation<RestoreResult>(
        options,
        service =>
          restoreWork(service, options.target!, options.snapshot[0], checks),
        describeRestore,
      );
    });

  withCommon(
    program
      .command('prune')
      .description('remove snapshots a retention policy does not keep'),
  )
    .requiredOption('-t, --target <name>', 'the target')
    .requiredOption(
      '-r, --retention <rules>',
      'e.g. "keep-last=7 keep-daily=14 min=3"',
    )
    .option(
      '--tier <tier>',
      'only this tier (default: every tier of the target)',
    )
    .option('--dry-run', 'only list what would be removed')
    .action(
      (
        options: CommonOptions & {
          target: string;
          retention: string;
          tier?: string;
          dryRun?: boolean;
        },
      ) => {
        const retention = parseRetention(options.retention);
        if ('error' in retention)
          throw new UsageError(`--retention: ${retention.error}`);
        return runOperation<PruneResult>(
          options,
          service =>
            pruneWork(service, options.target, {
              retention,
              tier: options.tier,
              dryRun: options.dryRun,
            }),
          result => describePrune(result, formatRetention(retention)),
        );
      },
    );

  program
    .command('decrypt')
    .description(
      'decrypt one encrypted artifact (.enc) from stdin to stdout, with only its key; needs no config',
    )
    .requiredOption(
      '-k, --key-file <file>',
      'a file holding the key (64 hex characters)',
    )
    .action(async (options: { keyFile: string }) => {
      try {
        await decryptWithKeyFile(
          options.keyFile,
          io.binaryIn ?? process.stdin,
          io.binaryOut ?? process.stdout,
        );
      } catch (error) {
        io.stderr(
          `safekeep-agent decrypt: ${
            (error as Error).message
          }; discard the output\n`,
        );
        exitCode = EXIT_FAILED;
      }
    });

  program
    .command('cat')
    .description(
      "write one artifact's raw bytes to stdout (chunks joined, or the file decompressed), checked all the way; with --from, from a snapshot folder and no config",
    )
    .argument('<artifact>', 'the artifact, e.g. app.db or files.tar')
    .option(
      '-c, --config <file>',
      'the agent config (YAML); default $SAFEKEEP_AGENT_CONFIG or ./safekeep-agent.yaml',
    )
    .option('-t, --target <name>', 'the target (with the config)')
    .option('-s, --snapshot <id>', 'the snapshot id (with the config)')
    .option(
      '--tier <tier>',
      'the tier to read (default: the first that has it)',
    )
    .option(
      '--from <folder>',
      'a snapshot folder of a filesystem tier, <tier>/<target>/<id>: read without any config',
    )
    .option(
      '-k, --key-file <file>',
      'with --from: a file holding the key of an encrypted snapshot (64 hex characters)',
    )
    .action(
      async (
        artifact: string,
        options: {
          config?: string;
          target?: string;
          snapshot?: string;
          tier?: string;
          from?: string;
          keyFile?: string;
        },
      ) => {
        const output = io.binaryOut ?? process.stdout;
        try {
          if (options.from) {
            await catFromFolder(
              options.from,
              artifact,
              output,
              options.keyFile,
            );
            return;
          }
          if (!options.target || !options.snapshot) {
            throw new UsageError(
              'cat needs --from <snapshot folder>, or --target and --snapshot with the config',
            );
          }
          const service = new SnapshotService(
            await loadConfig(options.config ?? defaultConfig()),
          );
          const { storage, ref, keys } = await service.openForReading(
            options.target,
            options.snapshot,
            options.tier,
          );
          await catArtifact(storage, ref, artifact, output, keys);
        } catch (error) {
          if (error instanceof UsageError || error instanceof ConfigError)
            throw error;
          io.stderr(
            `safekeep-agent cat: ${
              (error as Error).message
            }; discard the output\n`,
          );
          exitCode = EXIT_FAILED;
        }
      },
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or help/version).
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    const usage =
      error instanceof ConfigError ||
      error instanceof SecretError ||
      error instanceof UsageError;
    if (argv.includes('--json'))
      print([JSON.stringify({ ok: false, error: message }, null, 2)]);
    io.stderr(`safekeep-agent: ${message}\n`);
    return usage ? EXIT_USAGE : EXIT_FAILED;
  }
}
