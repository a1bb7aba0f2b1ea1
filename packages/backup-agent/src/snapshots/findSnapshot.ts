import {
  MANIFEST_VERSION,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import type { AgentConfig, TargetConfig } from '../config/loadConfig';
import { targetEncryption } from '../pipeline/encryption/EncryptionKeyring';
import type {
  ManifestRead,
  SnapshotRef,
  SnapshotStorage,
} from '../storage/SnapshotStorage';
import { NotFoundError, RestoreRefusedError } from './errors';
import type { SnapshotContext } from './SnapshotContext';

export interface LocatedSnapshot {
  storage: SnapshotStorage;
  ref: SnapshotRef;
  manifest: ManifestRead;
}

/** The tiers to look in: the one asked for (which must belong to the target), or all of them. */
export function tiersToSearch(target: TargetConfig, tier?: string): string[] {
  if (tier === undefined) return target.tiers;
  if (!target.tiers.includes(tier)) {
    throw new NotFoundError(
      `target "${
        target.name
      }" is not stored in tier "${tier}"; its tiers are ${target.tiers.join(
        ', ',
      )}`,
    );
  }
  return [tier];
}

/**
 * Finds a snapshot, in the given tier or the first of the target's tiers that has it. With
 * `from`, a snapshot of that other target, read through this target's tiers (a restore into a
 * staging copy, or onto another host that shares the storage).
 */
export async function findSnapshot(
  context: SnapshotContext,
  target: TargetConfig,
  id: string,
  { tier, from }: { tier?: string; from?: string } = {},
): Promise<LocatedSnapshot> {
  const ref = { target: from ?? target.name, id };
  for (const name of tiersToSearch(target, tier)) {
    const storage = context.storageFor(name);
    const manifest = await storage.readManifest(ref);
    if (manifest.status !== 'missing') return { storage, ref, manifest };
  }
  const where = tier ? `tier "${tier}"` : `tiers ${target.tiers.join(', ')}`;
  throw new NotFoundError(
    `snapshot ${id} of target "${ref.target}" was not found in ${where}${
      from ? ` of target "${target.name}"` : ''
    } (an incomplete snapshot, without MANIFEST.json, counts as not found)`,
  );
}

/** The manifest, or a refusal that says why it cannot be used. */
export function usableManifest(
  located: LocatedSnapshot,
  target: TargetConfig,
  config: AgentConfig,
): SnapshotManifest {
  const read = located.manifest;
  const where = located.storage.location(located.ref);
  if (read.status === 'too-new') {
    throw new RestoreRefusedError(
      `${where}MANIFEST.json has manifest_version ${read.manifestVersion}, newer than the ${MANIFEST_VERSION} this agent understands; use a newer safekeep-agent (--force does not override this)`,
      'manifest',
    );
  }
  if (read.status === 'unreadable')
    throw new RestoreRefusedError(`${where}: ${read.reason}`, 'manifest');
  if (read.status === 'missing')
    throw new NotFoundError(`${where} has no MANIFEST.json`);
  if (read.manifest.target.engine !== target.engine) {
    throw new RestoreRefusedError(
      `snapshot ${located.ref.id} holds a ${read.manifest.target.engine} backup, but target "${target.name}" is ${target.engine}`,
      'engine',
    );
  }
  // Whoever can write the tier could swap in plain files: an encrypted target takes none.
  const encryption = targetEncryption(config, target);
  const plain = read.manifest.artifacts.filter(a => !a.encryption);
  if (encryption && plain.length > 0) {
    throw new RestoreRefusedError(
      `target "${target.name}" is encrypted (key ${
        encryption.keyId
      }), but snapshot ${located.ref.id} holds unencrypted artifact(s) ${plain
        .map(a => a.name)
        .join(
          ', ',
        )}: refused, an encrypted target is never restored from plain files; restore it with a config whose target sets encryption: false only if you know where they came from`,
      'manifest',
    );
  }
  return read.manifest;
}
