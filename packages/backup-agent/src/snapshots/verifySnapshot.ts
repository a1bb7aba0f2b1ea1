import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import type { TargetConfig } from '../config/loadConfig';
import { openVerifiedStoredArtifact } from '../pipeline/openStoredArtifact';
import type { SnapshotRef, SnapshotStorage } from '../storage/SnapshotStorage';
import { findSnapshot, tiersToSearch, usableManifest } from './findSnapshot';
import type { ProgressListener, SnapshotContext } from './SnapshotContext';

export interface ArtifactCheck {
  name: string;
  ok: boolean;
  problem?: string;
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

/** Reads every artifact to its end, comparing sha256 and size with the manifest. */
export async function checkArtifacts(
  storage: SnapshotStorage,
  ref: SnapshotRef,
  manifest: SnapshotManifest,
  onBytes: (bytes: number) => void = () => undefined,
): Promise<ArtifactCheck[]> {
  const checks: ArtifactCheck[] = [];
  let before = 0;
  for (const artifact of manifest.artifacts) {
    const offset = before;
    try {
      const stream = await openVerifiedStoredArtifact(storage, ref, artifact, bytes => onBytes(offset + bytes));
      await pipeline(stream, new Writable({ write: (_chunk, _encoding, done) => done() }));
      checks.push({ name: artifact.name, ok: true });
    } catch (error) {
      checks.push({ name: artifact.name, ok: false, problem: (error as Error).message });
    }
    before += artifact.bytes;
  }
  return checks;
}

/** Verifies a snapshot in one tier, or in every tier of the target that holds it. */
export async function verifySnapshot(
  context: SnapshotContext,
  target: TargetConfig,
  id: string,
  tier?: string,
  onProgress: ProgressListener = () => undefined,
): Promise<VerifyResult> {
  const tiers: TierVerification[] = [];
  // Throws NotFoundError when no tier has it at all.
  await findSnapshot(context, target, id, tier);
  for (const name of tiersToSearch(target, tier)) {
    const storage = context.storageFor(name);
    const ref = { target: target.name, id };
    const read = await storage.readManifest(ref);
    if (read.status === 'missing') continue;
    const location = storage.location(ref);
    try {
      const manifest = usableManifest({ storage, ref, manifest: read }, target);
      const artifacts = await checkArtifacts(storage, ref, manifest, bytes => onProgress({ phase: `verifying ${name}`, bytes }));
      tiers.push({ tier: name, location, ok: artifacts.every(a => a.ok), artifacts });
    } catch (error) {
      tiers.push({ tier: name, location, ok: false, artifacts: [], problem: (error as Error).message });
    }
  }
  return { ok: tiers.every(t => t.ok), snapshotId: id, tiers };
}

/** One line per problem found, for errors. */
export function verifyProblems(result: VerifyResult): string[] {
  return result.tiers.flatMap(t =>
    t.problem ? [`${t.tier}: ${t.problem}`] : t.artifacts.filter(a => !a.ok).map(a => `${t.tier}: ${a.problem}`),
  );
}
