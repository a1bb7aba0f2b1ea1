import type { SweepResult } from '../chunks/sweepUnusedPacks';
import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import type { GroupDryRunResult } from '../groups/dryRunGroupRestore';
import type { GroupRestoreResult } from '../groups/restoreGroup';
import type { DryRunResult } from '../snapshots/dryRunRestore';
import type { PruneResult } from '../snapshots/pruneSnapshots';
import type { RestoreResult } from '../snapshots/restoreSnapshot';
import type { VerifyResult } from '../snapshots/verifySnapshot';
import { formatBytes } from './formatBytes';

/** Human-readable lines for the CLI; --json prints the objects themselves. */
export function describeSnapshots(snapshots: AgentSnapshot[]): string[] {
  if (snapshots.length === 0) return ['no snapshots'];
  // One line per snapshot, then one per artifact with its full checksum (what sha256sum -c checks).
  return snapshots.flatMap(s => [
    `${s.target}  ${s.id}  ${s.tier}  ${formatBytes(
      s.bytes,
    )} (raw ${formatBytes(s.rawBytes)})  sha256 ${s.sha256.slice(0, 16)}…  ${
      s.location
    }`,
    ...s.artifacts.map(
      a => `    ${a.name}  ${formatBytes(a.bytes)}  sha256 ${a.sha256}`,
    ),
  ]);
}

export function describeVerify(result: VerifyResult): string[] {
  return result.tiers.flatMap(t => [
    `${t.tier}: ${t.ok ? 'OK' : 'FAILED'}  ${t.location}`,
    ...(t.problem ? [`  ${t.problem}`] : []),
    ...t.artifacts.map(a => `  ${a.name}: ${a.ok ? 'OK' : a.problem}`),
  ]);
}

export function describeRestore(result: RestoreResult): string[] {
  return [
    `restored snapshot ${result.snapshotId} (tier ${result.tier}) into ${result.destination}`,
    result.differences.length === 0
      ? `check: matches the backup (${JSON.stringify(result.observed)})`
      : `check: DIFFERS from the backup: ${result.differences.join('; ')}`,
  ];
}

/** A dry run: what the restore would read, where it would write, and each refusal. */
export function describeDryRun(result: DryRunResult): string[] {
  const { destination } = result;
  return [
    `snapshot ${result.snapshotId} (tier ${result.tier}): ${
      result.verified ? 'every checksum matches' : 'NOT verified'
    }`,
    `destination ${destination.description}: ${destination.summary}${
      destination.serverVersion ? ` (version ${destination.serverVersion})` : ''
    }`,
    ...(result.containersToStop.length
      ? [`stops ${result.containersToStop.join(', ')}`]
      : []),
    ...(result.refusals.length
      ? result.refusals.map(r => `REFUSED: ${r}`)
      : ['would restore: no check refuses']),
  ];
}

export function describeGroupDryRun(result: GroupDryRunResult): string[] {
  return [
    `group ${result.group}: ${
      result.containersToStop === null
        ? 'its containers cannot be found'
        : `would stop ${
            result.containersToStop.join(', ') ||
            'no container (none is running)'
          }`
    }`,
    ...result.excluded.map(
      e => `  never stopped: ${e.container} (${e.reason})`,
    ),
    ...result.members.flatMap(m => [
      `${m.target}:`,
      ...describeDryRun(m).map(line => `  ${line}`),
    ]),
    result.refusals.length
      ? `REFUSED: ${result.refusals.length} check(s) refuse the group restore; nothing was stopped or written`
      : 'would restore: no check refuses',
  ];
}

export function describeGroupRestore(result: GroupRestoreResult): string[] {
  return [
    `group ${result.group}:`,
    ...result.members.map(m => {
      const check = m.result
        ? `  check: ${
            m.result.differences.length
              ? `DIFFERS: ${m.result.differences.join('; ')}`
              : 'matches the backup'
          }`
        : '';
      return `  ${m.target}  ${m.snapshotId}  ${m.state}${
        m.error ? `: ${m.error}` : ''
      }${check}`;
    }),
    `containers: ${
      result.containers
        .map(
          c =>
            `${c.container} ${c.state}${
              c.wasRunning ? '' : ' (was not running)'
            }`,
        )
        .join(', ') || 'none'
    }`,
    ...(result.note ? [`NOTE: ${result.note}`] : []),
  ];
}

/** `policy`: the retention as text, to say why a snapshot goes. */
export function describePrune(result: PruneResult, policy?: string): string[] {
  const verb = result.dryRun ? 'would remove' : 'removed';
  const why = policy
    ? ` (no rule of "${policy}" keeps it, and no kept snapshot depends on it)`
    : '';
  return result.tiers.flatMap(t => [
    `${t.tier}: keeps ${t.kept.length}, ${verb} ${t.pruned.length}${
      t.incompleteRemoved.length
        ? ` and ${t.incompleteRemoved.length} incomplete`
        : ''
    }`,
    ...t.kept.map(k => `  keep    ${k.id} (${k.reasons.join(', ')})`),
    ...t.pruned.map(
      id => `  ${result.dryRun ? 'prune?' : 'pruned'}  ${id}${why}`,
    ),
    ...t.incompleteRemoved.map(
      id =>
        `  ${
          result.dryRun ? 'prune?' : 'pruned'
        }  ${id} (incomplete: no MANIFEST.json, started over an hour ago)`,
    ),
    ...t.skipped.map(s => `  skip    ${s.id} (${s.reason})`),
    ...describeSweep(t.chunks, result.dryRun),
  ]);
}

/** Phase two of prune: unused chunk packs of the tier. */
function describeSweep(sweep: SweepResult, dryRun: boolean): string[] {
  return [
    ...(sweep.deferred ? [`  chunks: not swept now: ${sweep.deferred}`] : []),
    ...sweep.pools.map(p =>
      p.skipped
        ? `  chunks ${p.pool}: not swept: ${p.skipped}`
        : `  chunks ${p.pool}: ${p.packsKept} pack(s) in use, ${
            dryRun || sweep.deferred ? 'unused' : 'removed'
          } ${p.packsDeleted} (${formatBytes(p.bytesFreed)})${
            p.packsTooYoung
              ? `, ${p.packsTooYoung} unused but younger than an hour (kept)`
              : ''
          }`,
    ),
  ];
}
