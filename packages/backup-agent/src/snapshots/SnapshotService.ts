import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import type { AgentConfig, TargetConfig } from '../config/loadConfig';
import {
  discoverLabelledTargets,
  Discovery,
} from '../docker/discoverLabelledTargets';
import { DockerRuntime } from '../docker/DockerRuntime';
import { defaultDockerSettings } from '../docker/dockerSettings';
import { findDriver } from '../engines/registry';
import { backupGroup, GroupBackupResult } from '../groups/backupGroup';
import { describeGroups, GroupDescription } from '../groups/describeGroups';
import {
  dryRunGroupRestore,
  GroupDryRunOptions,
  GroupDryRunResult,
} from '../groups/dryRunGroupRestore';
import type { GroupConfig } from '../groups/groupSettings';
import { ResolvedGroup, resolveGroup } from '../groups/resolveGroup';
import {
  GroupRestoreOptions,
  GroupRestoreResult,
  restoreGroup,
} from '../groups/restoreGroup';
import { createStorage } from '../storage/createStorage';
import type { SnapshotStorage } from '../storage/SnapshotStorage';
import { backupTarget, BackupResult } from './backupTarget';
import { NotFoundError } from './errors';
import { findSnapshot } from './findSnapshot';
import { EncryptionKeyring } from '../pipeline/encryption/EncryptionKeyring';
import { listSnapshots } from './listSnapshots';
import { pruneSnapshots, PruneOptions, PruneResult } from './pruneSnapshots';
import { dropDestination, DropResult } from './dropDestination';
import { dryRunRestore, DryRunResult } from './dryRunRestore';
import {
  RestoreChoices,
  restoreSnapshot,
  RestoreOptions,
  RestoreResult,
} from './restoreSnapshot';
import type { ProgressListener, SnapshotContext } from './SnapshotContext';
import { verifySnapshot, VerifyResult } from './verifySnapshot';

export interface SnapshotServiceOptions {
  /** Clock, for tests of retention. */
  now?: () => Date;
  log?: (message: string) => void;
  /** A Docker runtime to use instead of one built from the config (tests). */
  docker?: DockerRuntime;
  /** Wraps each tier's storage once it is made (tests play a failing disk or bucket with it). */
  wrapStorage?: (storage: SnapshotStorage) => SnapshotStorage;
}

/**
 * Backup, list, verify, restore and prune for the targets of one agent config, plus the
 * targets discovered from container labels and the consistency groups.
 */
export class SnapshotService {
  private readonly storages = new Map<string, SnapshotStorage>();
  private readonly context: SnapshotContext;
  private dockerRuntime?: DockerRuntime;
  private readonly wrapStorage?: (storage: SnapshotStorage) => SnapshotStorage;

  constructor(
    readonly config: AgentConfig,
    options: SnapshotServiceOptions = {},
  ) {
    const log = options.log ?? (() => undefined);
    this.dockerRuntime = options.docker;
    this.wrapStorage = options.wrapStorage;
    const docker = () => {
      this.dockerRuntime ??= new DockerRuntime(
        config.docker ?? defaultDockerSettings(),
        log,
      );
      return this.dockerRuntime;
    };
    this.context = {
      config,
      storageFor: tier => this.storage(tier),
      driverFor: target => {
        const driver = findDriver(target.engine);
        if (!driver) throw new Error(`no driver for engine "${target.engine}"`);
        return driver;
      },
      engineContext: target => ({
        targetName: target.name,
        stagingDir: config.agent.staging,
        log: message => log(`${target.name}: ${message}`),
        docker,
      }),
      docker,
      now: options.now ?? (() => new Date()),
      log,
    };
  }

  docker(): DockerRuntime {
    return this.context.docker();
  }

  storage(tier: string): SnapshotStorage {
    let storage = this.storages.get(tier);
    if (!storage) {
      const storageConfig = this.config.storage[tier];
      if (!storageConfig)
        throw new NotFoundError(
          `"${tier}" is not a storage tier; the tiers are ${Object.keys(
            this.config.storage,
          ).join(', ')}`,
        );
      storage = createStorage(
        tier,
        storageConfig,
        this.config.agent.staging,
        this.config.defaults.manifestKey,
      );
      if (this.wrapStorage) storage = this.wrapStorage(storage);
      this.storages.set(tier, storage);
    }
    return storage;
  }

  /** Whether targets are discovered from container labels (a docker section with discoverLabels). */
  get discoversLabels(): boolean {
    return this.config.docker?.discoverLabels ?? false;
  }

  /**
   * Labelled targets and groups, or nothing when discovery is off; problems are logged. When
   * Docker cannot be asked, the config's targets still work: the problem is logged and returned.
   */
  async discover(): Promise<Discovery> {
    if (!this.discoversLabels) return { targets: [], groups: [], problems: [] };
    let found: Discovery;
    try {
      found = await discoverLabelledTargets(this.docker(), this.config);
    } catch (error) {
      const problem = `cannot list containers on ${this.docker().endpoint}: ${
        (error as Error).message
      }`;
      found = { targets: [], groups: [], problems: [problem] };
    }
    for (const problem of found.problems)
      this.context.log(`label discovery: ${problem}`);
    return found;
  }

  /** A target of the config only (no Docker call). */
  target(name: string): TargetConfig {
    const target = this.config.targets[name];
    if (!target) {
      const known = Object.keys(this.config.targets);
      throw new NotFoundError(
        `unknown target "${name}"; this agent has ${
          known.length ? known.join(', ') : 'no targets'
        }`,
      );
    }
    return target;
  }

  /** A target of the config, or one discovered from container labels. */
  async resolveTarget(name: string): Promise<TargetConfig> {
    const configured = this.config.targets[name];
    if (configured) return configured;
    const discovery = await this.discover();
    const found = discovery.targets.find(t => t.name === name);
    if (found) return found;
    const known = [
      ...Object.keys(this.config.targets),
      ...discovery.targets.map(t => t.name),
    ];
    const unreachable = discovery.problems.find(p =>
      p.startsWith('cannot list containers'),
    );
    throw new NotFoundError(
      `unknown target "${name}"; this agent has ${
        known.length ? known.join(', ') : 'no targets'
      }${unreachable ? ` (label discovery failed: ${unreachable})` : ''}`,
    );
  }

  /** Every target: the config's, then the labelled ones. */
  async listTargets(): Promise<TargetConfig[]> {
    return [
      ...Object.values(this.config.targets),
      ...(await this.discover()).targets,
    ];
  }

  /** A group of the config, or one named by safekeep.io/group labels. */
  async group(name: string): Promise<GroupConfig> {
    const configured = this.config.groups[name];
    if (configured) return configured;
    const labelled = (await this.discover()).groups;
    const found = labelled.find(g => g.name === name);
    if (found) return found;
    const known = [
      ...Object.keys(this.config.groups),
      ...labelled.map(g => g.name),
    ];
    throw new NotFoundError(
      `unknown group "${name}"; this agent has ${
        known.length ? known.join(', ') : 'no groups'
      }`,
    );
  }

  /** Every group (the config's, then the labelled ones) with the containers it stops now. */
  async listGroups(): Promise<GroupDescription[]> {
    const groups = [
      ...Object.values(this.config.groups),
      ...(await this.discover()).groups,
    ];
    return describeGroups(groups, group => this.resolveGroup(group));
  }

  async backup(
    targetName: string,
    onProgress?: ProgressListener,
  ): Promise<BackupResult> {
    return backupTarget(
      this.context,
      await this.resolveTarget(targetName),
      onProgress,
    );
  }

  /** A group's containers, writers and targets as found now. */
  private resolveGroup(config: GroupConfig): Promise<ResolvedGroup> {
    return resolveGroup(
      this.docker(),
      config,
      name => this.resolveTarget(name),
      target =>
        this.context.driverFor(target).containerNeeds?.(target.settings) ?? [],
    );
  }

  async backupGroup(
    groupName: string,
    onProgress?: ProgressListener,
  ): Promise<GroupBackupResult> {
    const group = await this.resolveGroup(await this.group(groupName));
    return backupGroup(this.context, group, onProgress);
  }

  async restoreGroup(
    groupName: string,
    options: GroupRestoreOptions,
  ): Promise<GroupRestoreResult> {
    const group = await this.resolveGroup(await this.group(groupName));
    return restoreGroup(this.context, group, options);
  }

  /** Every check of a group restore, with nothing stopped or written (POST /v1/group-restores { dryRun: true }). */
  async dryRunRestoreGroup(
    groupName: string,
    options: GroupDryRunOptions,
  ): Promise<GroupDryRunResult> {
    const config = await this.group(groupName);
    const targets: TargetConfig[] = [];
    for (const name of config.targets)
      targets.push(await this.resolveTarget(name));
    // Docker is asked last and apart: the members are checked even when it cannot be reached.
    const findContainers = () => this.resolveGroup(config);
    return dryRunGroupRestore(
      this.context,
      { name: config.name, targets },
      findContainers,
      options,
    );
  }

  async list(targetName?: string, tier?: string): Promise<AgentSnapshot[]> {
    const targets = targetName
      ? [await this.resolveTarget(targetName)]
      : await this.listTargets();
    if (tier !== undefined) this.storage(tier);
    return listSnapshots(this.context, targets, tier);
  }

  /** Throws NotFoundError unless the snapshot exists (complete or not readable) in the tier or any tier. */
  /** With `from`, a snapshot of that other target, looked for in `targetName`'s tiers. */
  async assertSnapshotExists(
    targetName: string,
    snapshotId: string,
    tier?: string,
    from?: string,
  ): Promise<void> {
    await findSnapshot(
      this.context,
      await this.resolveTarget(targetName),
      snapshotId,
      { tier, from },
    );
  }

  async verify(
    targetName: string,
    snapshotId: string,
    tier?: string,
    onProgress?: ProgressListener,
    from?: string,
  ): Promise<VerifyResult> {
    return verifySnapshot(
      this.context,
      await this.resolveTarget(targetName),
      snapshotId,
      tier,
      onProgress,
      from,
    );
  }

  /** Where a snapshot is read from, and the keys to decrypt it (for `cat`). */
  async openForReading(targetName: string, snapshotId: string, tier?: string) {
    const target = await this.resolveTarget(targetName);
    const located = await findSnapshot(this.context, target, snapshotId, {
      tier,
    });
    const keyring = new EncryptionKeyring(this.config);
    return {
      storage: located.storage,
      ref: located.ref,
      keys: (keyId: string) => keyring.byId(keyId),
    };
  }

  async restore(
    targetName: string,
    snapshotId: string,
    options?: RestoreOptions,
  ): Promise<RestoreResult> {
    return restoreSnapshot(
      this.context,
      await this.resolveTarget(targetName),
      snapshotId,
      options,
    );
  }

  /** Every check of a restore, collected, with nothing written (POST /v1/restores { dryRun: true }). */
  async dryRunRestore(
    targetName: string,
    snapshotId: string,
    options?: RestoreChoices,
  ): Promise<DryRunResult> {
    return dryRunRestore(
      this.context,
      await this.resolveTarget(targetName),
      snapshotId,
      options,
    );
  }

  /** Removes a restore destination that is not the target's own data (POST /v1/destinations/drop). */
  async dropDestination(
    targetName: string,
    destination: string,
  ): Promise<DropResult> {
    return dropDestination(
      this.context,
      await this.resolveTarget(targetName),
      destination,
    );
  }

  async prune(targetName: string, options: PruneOptions): Promise<PruneResult> {
    return pruneSnapshots(
      this.context,
      await this.resolveTarget(targetName),
      options,
    );
  }
}
