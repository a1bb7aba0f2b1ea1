import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import type { AgentConfig, TargetConfig } from '../config/loadConfig';
import { findDriver } from '../engines/registry';
import { createStorage } from '../storage/createStorage';
import type { SnapshotStorage } from '../storage/SnapshotStorage';
import { backupTarget, BackupResult } from './backupTarget';
import { NotFoundError } from './errors';
import { findSnapshot } from './findSnapshot';
import { listSnapshots } from './listSnapshots';
import { pruneSnapshots, PruneOptions, PruneResult } from './pruneSnapshots';
import { restoreSnapshot, RestoreOptions, RestoreResult } from './restoreSnapshot';
import type { ProgressListener, SnapshotContext } from './SnapshotContext';
import { verifySnapshot, VerifyResult } from './verifySnapshot';

export interface SnapshotServiceOptions {
  /** Clock, for tests of retention. */
  now?: () => Date;
  log?: (message: string) => void;
}

/** Backup, list, verify, restore and prune for the targets of one agent config. */
export class SnapshotService {
  private readonly storages = new Map<string, SnapshotStorage>();
  private readonly context: SnapshotContext;

  constructor(
    readonly config: AgentConfig,
    options: SnapshotServiceOptions = {},
  ) {
    const log = options.log ?? (() => undefined);
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
      }),
      now: options.now ?? (() => new Date()),
      log,
    };
  }

  storage(tier: string): SnapshotStorage {
    let storage = this.storages.get(tier);
    if (!storage) {
      const storageConfig = this.config.storage[tier];
      if (!storageConfig) throw new NotFoundError(`"${tier}" is not a storage tier; the tiers are ${Object.keys(this.config.storage).join(', ')}`);
      storage = createStorage(tier, storageConfig);
      this.storages.set(tier, storage);
    }
    return storage;
  }

  target(name: string): TargetConfig {
    const target = this.config.targets[name];
    if (!target) {
      const known = Object.keys(this.config.targets);
      throw new NotFoundError(`unknown target "${name}"; this agent has ${known.length ? known.join(', ') : 'no targets'}`);
    }
    return target;
  }

  backup(targetName: string, onProgress?: ProgressListener): Promise<BackupResult> {
    return backupTarget(this.context, this.target(targetName), onProgress);
  }

  list(targetName?: string, tier?: string): Promise<AgentSnapshot[]> {
    const targets = targetName ? [this.target(targetName)] : Object.values(this.config.targets);
    if (tier !== undefined) this.storage(tier);
    return listSnapshots(this.context, targets, tier);
  }

  /** Throws NotFoundError unless the snapshot exists (complete or not readable) in the tier or any tier. */
  async assertSnapshotExists(targetName: string, snapshotId: string, tier?: string): Promise<void> {
    await findSnapshot(this.context, this.target(targetName), snapshotId, tier);
  }

  verify(targetName: string, snapshotId: string, tier?: string, onProgress?: ProgressListener): Promise<VerifyResult> {
    return verifySnapshot(this.context, this.target(targetName), snapshotId, tier, onProgress);
  }

  restore(targetName: string, snapshotId: string, options?: RestoreOptions): Promise<RestoreResult> {
    return restoreSnapshot(this.context, this.target(targetName), snapshotId, options);
  }

  prune(targetName: string, options: PruneOptions): Promise<PruneResult> {
    return pruneSnapshots(this.context, this.target(targetName), options);
  }
}
