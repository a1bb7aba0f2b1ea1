import fsp from 'node:fs/promises';
import path from 'node:path';
import type { AgentConfig } from '../config/loadConfig';
import { formatBytes } from '../cli/formatBytes';
import { INCOMPLETE_GRACE_MS } from '../snapshots/pruneSnapshots';
import { snapshotIdTime } from '../storage/snapshotId';
import { SnapshotStorage, WRITER_MARK_FILE } from '../storage/SnapshotStorage';
import { unfinishedFolderKind } from '../storage/FilesystemStorage';
import { isStagingLock, otherLiveAgents } from './agentLock';
import { parseWriterMark, writerState } from './processIdentity';
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
 * Whether a snapshot folder without a manifest is a leftover to remove now: its writer (the
 * mark it holds) has ended on this machine. Another machine's, or one with no mark (an older
 * agent), only once older than prune's grace; a live writer's never.
 */
async function leftoverVerdict(
  folder: string,
  id: string,
  now: Date,
): Promise<{ remove: boolean; reason: string }> {
  const mark = parseWriterMark(
    await fsp
      .readFile(path.join(folder, WRITER_MARK_FILE), 'utf8')
      .catch(() => ''),
  );
  const startedAt = snapshotIdTime(id);
  const old =
    !!startedAt && now.getTime() - startedAt.getTime() > INCOMPLETE_GRACE_MS;
  if (!mark)
    return old
      ? { remove: true, reason: 'no writer mark, older than an hour' }
      : {
          remove: false,
          reason:
            'no writer mark and younger than an hour: it may still be written (prune removes it later)',
        };
  const state = writerState(mark);
  if (state === 'gone')
    return { remove: true, reason: `its writer (pid ${mark.pid}) has ended` };
  if (state === 'live')
    return {
      remove: false,
      reason: `being written by the running process ${mark.pid}`,
    };
  return old
    ? { remove: true, reason: `written on ${mark.host}, older than an hour` }
    : {
        remove: false,
        reason: `being written on ${mark.host}, younger than an hour (prune removes it later)`,
      };
}

/**
 * What a killed agent leaves, removed when the agent starts: manifest-less snapshot folders on
 * filesystem tiers whose writer has ended, and in staging the partial copies and credential
 * files it made. Never what another running agent is writing (see leftoverVerdict and
 * otherLiveAgents). S3 tiers keep prune's age rule.
 */
export async function cleanLeftovers(
  config: AgentConfig,
  storageFor: (tier: string) => SnapshotStorage,
  now: Date = new Date(),
): Promise<LeftoverCleanup> {
  const result: LeftoverCleanup = {
    snapshots: { removed: [], bytes: 0 },
    chunkTemps: { removed: 0, bytes: 0 },
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
        const verdict = await leftoverVerdict(folder, s.ref.id, now);
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
  const { snapshots, chunkTemps, staging, credentials, restores, kept } =
    cleanup;
  if (
    snapshots.removed.length +
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
