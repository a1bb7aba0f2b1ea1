import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import type { TargetConfig } from '../config/loadConfig';
import { createDecryptionStage, KeyLookup } from '../pipeline/encryption';
import {
  EncryptionKeyring,
  KeyUnavailableError,
} from '../pipeline/encryption/EncryptionKeyring';
import { checkPacks } from '../chunks/checkPacks';
import { openChunkedArtifact } from '../chunks/openChunkedArtifact';
import { openVerifiedStoredArtifact } from '../pipeline/openStoredFile';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { findSnapshot, tiersToSearch, usableManifest } from './findSnapshot';
import type { ProgressListener, SnapshotContext } from './SnapshotContext';

export interface ArtifactCheck {
  name: string;
  ok: boolean;
  problem?: string;
  /** What was not checked, e.g. an encrypted artifact whose key this agent lacks (sha256 only). */
  note?: string;
}

export interface TierVerification {
  tier: string;
  location: string;
  ok: boolean;
  artifacts: ArtifactCheck[];
  problem?: string;
}

export interface VerifyResult {
  ok: boolean;
  snapshotId: string;
  tiers: TierVerification[];
}

/**
 * Reads every artifact to its end, comparing sha256 and size with the manifest. With `keys`,
 * encrypted artifacts are also decrypted on the way and every chunk's GCM tag checked, so
 * data changed together with its checksum is caught too. A key that is not available then
 * fails the check when `requireKeys`, and is noted otherwise.
 */
export async function checkArtifacts(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  manifest: SnapshotManifest,
  onBytes: (bytes: number) => void = () => undefined,
  keys?: KeyLookup,
  requireKeys = true,
  /**
   * How a chunked artifact is checked: `read` decodes every chunk (verify); `packs` checks the
   * index and the sha256 of every pack it names (a restore's pre-check: the restore then checks
   * every chunk in flight), see chunks/checkPacks.ts.
   */
  chunks: 'read' | 'packs' = 'read',
): Promise<ArtifactCheck[]> {
  const checks: ArtifactCheck[] = [];
  let before = 0;
  for (const artifact of manifest.artifacts) {
    const offset = before;
    try {
      let decrypt;
      let note: string | undefined;
      try {
        decrypt = keys
          ? createDecryptionStage(
              artifact,
              keys,
              `${storage.tier}:${ref.id}/${artifact.name}`,
            )
          : undefined;
      } catch (error) {
        if (requireKeys || !(error instanceof KeyUnavailableError)) throw error;
        note = artifact.chunked
          ? `chunk index sha256 checked; chunks not read: ${error.message}`
          : `sha256 checked; not authenticated: ${error.message}`;
      }
      const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
      if (artifact.chunked && !note && chunks === 'packs') {
        await checkPacks(
          storage,
          ref,
          artifact,
          bytes => onBytes(offset + bytes),
          keys,
        );
      } else if (artifact.chunked && !note) {
        // Index, every chunk (id, tag) and the whole stream's sha256.
        await pipeline(
          await openChunkedArtifact(
            storage,
            ref,
            artifact,
            bytes => onBytes(offset + bytes),
            keys,
          ),
          sink,
        );
      } else {
        const stream = await openVerifiedStoredArtifact(
          storage,
          ref,
          artifact,
          bytes => onBytes(offset + bytes),
        );
        await (decrypt
          ? pipeline(stream, decrypt, sink)
          : pipeline(stream, sink));
      }
      checks.push(
        note
          ? { name: artifact.name, ok: true, note }
          : { name: artifact.name, ok: true },
      );
    } catch (error) {
      checks.push({
        name: artifact.name,
        ok: false,
        problem: (error as Error).message,
      });
    }
    before += artifact.bytes;
  }
  return checks;
}

/** Snapshots the manifest depends on that the tier lacks (or holds without a usable manifest). */
async function missingDependencies(
  storage: SnapshotStorage,
  target: string,
  manifest: SnapshotManifest,
): Promise<string[]> {
  const missing: string[] = [];
  for (const id of manifest.depends_on ?? []) {
    if ((await storage.readManifest({ target, id })).status !== 'ok')
      missing.push(id);
  }
  return missing;
}

/** Verifies a snapshot in one tier, or in every tier of the target that holds it. */
export async function verifySnapshot(
  context: SnapshotContext,
  target: TargetConfig,
  id: string,
  tier?: string,
  onProgress: ProgressListener = () => undefined,
  /** Verify a snapshot of this other target, as a restore into `target` would read it. */
  from?: string,
): Promise<VerifyResult> {
  const tiers: TierVerification[] = [];
  // Throws NotFoundError when no tier has it at all.
  await findSnapshot(context, target, id, { tier, from });
  for (const name of tiersToSearch(target, tier)) {
    const storage = context.storageFor(name);
    const ref = { target: from ?? target.name, id };
    const read = await storage.readManifest(ref);
    if (read.status === 'missing') continue;
    const location = storage.location(ref);
    try {
      const manifest = usableManifest(
        { storage, ref, manifest: read },
        target,
        context.config,
      );
      const keys = new EncryptionKeyring(context.config);
      const artifacts = await checkArtifacts(
        storage,
        ref,
        manifest,
        bytes => onProgress({ phase: `verifying ${name}`, bytes }),
        keyId => keys.byId(keyId),
        false,
      );
      const missing = await missingDependencies(storage, ref.target, manifest);
      const problem =
        missing.length > 0
          ? `depends on snapshot(s) ${missing.join(
              ', ',
            )}, which this tier does not hold complete; it cannot be restored from here`
          : undefined;
      tiers.push({
        tier: name,
        location,
        ok: !problem && artifacts.every(a => a.ok),
        artifacts,
        ...(problem ? { problem } : {}),
      });
    } catch (error) {
      tiers.push({
        tier: name,
        location,
        ok: false,
        artifacts: [],
        problem: (error as Error).message,
      });
    }
  }
  return { ok: tiers.every(t => t.ok), snapshotId: id, tiers };
}

/** One line per problem found, for errors. */
export function verifyProblems(result: VerifyResult): string[] {
  return result.tiers.flatMap(t =>
    t.problem
      ? [`${t.tier}: ${t.problem}`]
      : t.artifacts.filter(a => !a.ok).map(a => `${t.tier}: ${a.problem}`),
  );
}
