import fsp from 'node:fs/promises';
import path from 'node:path';
import type { AgentConfig } from '../config/loadConfig';
import { formatBytes } from '../cli/formatBytes';
import { SnapshotStorage, WRITER_MARK_FILE } from '../storage/SnapshotStorage';
import { unfinishedFolderKind } from '../storage/FilesystemStorage';
import { isStagingLock, otherLiveAgents } from './agentLock';
import { leftoverVerdict } from './leftoverVerdict';
import { cleanS3TierAtStart } from './s3Leftovers';
import { stagingKind } from './stagingLeftovers';
import {
  cleanRestoreLeftovers,
  RestoreLeftoverCleanup,
} from './restoreLeftovers';
import { sizeOnDisk } from './sizeOnDisk';
import { cleanChunkPoolTemps } from './chunkPoolLeftovers';
import { findDriver } from '../engines/registry';

export interface LeftoverCleanup {
  /**
   * Manifest-less snapshot folders removed, per filesystem tier: `tier/target/id`, and the dot
   * folders of a removal or birth cut short.
   */
  snapshots: { removed: string[]; bytes: number };
  /** Half-written packs and locks in filesystem tiers' chunk areas (`.chunks/`). */
  chunkTemps: { removed: number; bytes: number };
  /** Multipart uploads a killed writer left open on S3 tiers, aborted: `tier/target/id/artifact`. */
  uploads: { aborted: string[] };
  /** Partial copies in staging (SQLite copies, RDBs, upload parts, restore files). */
  staging: { removed: number; bytes: number };
  /** The agent's own credential files for tools (`.secret-*-pgpass` ...). */
  credentials: { removed: number };
  /** A killed restore's copies beside file and folder targets, and swaps rolled back. */
  restores: RestoreLeftoverCleanup;
  /** Incomplete snapshots left alone, with why (another live agent, too young to tell). */
  kept: Array<{ snapshot: string; reason: string }>;
}

async function targetFolders(root: string): Promise<string[]> {
  const entries = await fsp
    .readdir(root, { withFileTypes: true })
    .catch(() => []);
  // Dot folders (a chunk pool, locks) are not targets.
  return entries
    .filter(e => e.isDirectory() && !e.name.startsWith('.'))
    .map(e => e.name);
}

/**
 * A snapshot folder's removal or birth cut short (FilesystemStorage's dot folders). A removal's
 * is never wanted again; a birth's only once older than every running agent (a live one's
 * lasts a few milliseconds).
 */
async function unfinishedFolders(
  targetFolder: string,
  before: number,
): Promise<string[]> {
  const names: string[] = [];
  for (const name of await fsp.readdir(targetFolder).catch(() => [])) {
    const kind = unfinishedFolderKind(name);
    if (!kind) continue;
    const stat = await fsp
      .lstat(path.join(targetFolder, name))
      .catch(() => undefined);
    if (stat && (kind === 'doomed' || stat.mtimeMs < before)) names.push(name);
  }
  return names;
}

/**
 * What a killed agent leaves, removed when the agent starts: manifest-less snapshot folders on
 * filesystem tiers whose writer has ended, and in staging the partial copies and credential
 * files it made. Never what another running agent is writing (see leftoverVerdict and
 * otherLiveAgents). On S3 tiers, open multipart uploads and manifest-less prefixes by the
 * same writer rule (cleanS3Tier).
 */
export async function cleanLeftovers(
  config: AgentConfig,
  storageFor: (tier: string) => SnapshotStorage,
  now: Date = new Date(),
  options: {
    /** How long one S3 tier may take (cleanS3TierAtStart). */ s3BudgetMs?: number;
  } = {},
): Promise<LeftoverCleanup> {
  const result: LeftoverCleanup = {
    snapshots: { removed: [], bytes: 0 },
    chunkTemps: { removed: 0, bytes: 0 },
    uploads: { aborted: [] },
    staging: { removed: 0, bytes: 0 },
    credentials: { removed: 0 },
    restores: { removed: 0, bytes: 0, rolledBack: [] },
    kept: [],
  };

  // Files a running agent is writing are younger than its start: with others running, only
  // what is older than the oldest of them goes.
  const staging = config.agent.staging;
  const others = await otherLiveAgents(staging);
  const before = Math.min(
    now.getTime(),
    ...others.map(o => new Date(o.startedAt).getTime()),
  );

  for (const [tier, storageConfig] of Object.entries(config.storage)) {
    if (storageConfig.type === 's3') {
      // Only this agent's targets: another agent sharing the bucket backs up others.
      const s3 = await cleanS3TierAtStart(
        tier,
        storageFor(tier),
        Object.keys(config.targets),
        now,
        options.s3BudgetMs,
      );
      result.snapshots.removed.push(...s3.removed);
      result.snapshots.bytes += s3.bytes;
      result.uploads.aborted.push(...s3.aborted);
      result.kept.push(...s3.kept);
      continue;
    }
    if (storageConfig.type !== 'filesystem') continue;
    const storage = storageFor(tier);
    const temps = await cleanChunkPoolTemps(storageConfig.path, before);
    result.chunkTemps.removed += temps.removed;
    result.chunkTemps.bytes += temps.bytes;
    for (const target of await targetFolders(storageConfig.path)) {
      for (const name of await unfinishedFolders(
        path.join(storageConfig.path, target),
        before,
      )) {
        const folder = path.join(storageConfig.path, target, name);
        const bytes = await sizeOnDisk(folder);
        await fsp.rm(folder, { recursive: true, force: true });
        result.snapshots.removed.push(`${tier}/${target}/${name}`);
        result.snapshots.bytes += bytes;
      }
      const snapshots = await storage.listSnapshots(target).catch(() => []);
      for (const s of snapshots.filter(x => x.manifest.status === 'missing')) {
        const name = `${tier}/${target}/${s.ref.id}`;
        const folder = path.join(storageConfig.path, target, s.ref.id);
        const mark = await fsp
          .readFile(path.join(folder, WRITER_MARK_FILE), 'utf8')
          .catch(() => undefined);
        const verdict = leftoverVerdict(mark, s.ref.id, now);
        if (!verdict.remove) {
          result.kept.push({ snapshot: name, reason: verdict.reason });
          continue;
        }
        const bytes = await sizeOnDisk(folder);
        await storage.deleteSnapshot(s.ref);
        result.snapshots.removed.push(name);
        result.snapshots.bytes += bytes;
      }
    }
  }

  const names = await fsp.readdir(staging).catch(() => [] as string[]);
  for (const name of names) {
    const kind = isStagingLock(name) ? undefined : stagingKind(name);
    if (!kind) continue;
    const file = path.join(staging, name);
    const stat = await fsp.lstat(file).catch(() => undefined);
    if (!stat || stat.mtimeMs >= before) continue;
    const bytes = await sizeOnDisk(file);
    await fsp.rm(file, { recursive: true, force: true });
    if (kind === 'credential') result.credentials.removed++;
    else {
      result.staging.removed++;
      result.staging.bytes += bytes;
    }
  }

  const livePaths = Object.values(config.targets).flatMap(target => {
    const live = findDriver(target.engine)?.livePath?.(target.settings);
    return live ? [live] : [];
  });
  result.restores = await cleanRestoreLeftovers(livePaths, before);
  return result;
}

const sized = (bytes: number) => `${formatBytes(bytes)}, ${bytes} bytes`;

/** One line for the log; undefined when there was nothing to clean or keep. */
export function describeCleanup(cleanup: LeftoverCleanup): string | undefined {
  const {
    snapshots,
    uploads,
    chunkTemps,
    staging,
    credentials,
    restores,
    kept,
  } = cleanup;
  if (
    snapshots.removed.length +
      uploads.aborted.length +
      chunkTemps.removed +
      staging.removed +
      credentials.removed +
      restores.removed +
      restores.rolledBack.length ===
      0 &&
    kept.length === 0
  )
    return undefined;
  const parts = [
    `removed ${snapshots.removed.length} incomplete snapshot(s) (${sized(
      snapshots.bytes,
    )}${snapshots.removed.length ? `: ${snapshots.removed.join(', ')}` : ''})`,
    `${chunkTemps.removed} half-written pack(s) or lock(s) (${sized(
      chunkTemps.bytes,
    )})`,
    `${uploads.aborted.length} open multipart upload(s) aborted${
      uploads.aborted.length ? ` (${uploads.aborted.join(', ')})` : ''
    }`,
    `${staging.removed} partial staging file(s) (${sized(staging.bytes)})`,
    `${credentials.removed} credential file(s)`,
    `${
      restores.removed
    } copy(ies) of a killed restore beside its target (${sized(
      restores.bytes,
    )})${
      restores.rolledBack.length
        ? `, an interrupted swap put back: ${restores.rolledBack.join(', ')}`
        : ''
    }`,
  ];
  const keptText = kept.length
    ? `; kept ${kept.length}: ${kept
        .map(k => `${k.snapshot} (${k.reason})`)
        .join(', ')}`
    : '';
  return `leftovers at start: ${parts.join(', ')}${keptText}`;
}
