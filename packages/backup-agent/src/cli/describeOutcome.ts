import type { AgentSnapshot } from '@safekeep/plugin-backups-common';
import type { PruneResult } from '../snapshots/pruneSnapshots';
import type { RestoreResult } from '../snapshots/restoreSnapshot';
import type { VerifyResult } from '../snapshots/verifySnapshot';
import { formatBytes } from './formatBytes';

/** Human-readable lines for the CLI; --json prints the objects themselves. */
export function describeSnapshots(snapshots: AgentSnapshot[]): string[] {
  if (snapshots.length === 0) return ['no snapshots'];
  // One line per snapshot, then one per artifact with its full checksum (what sha256sum -c checks).
  return snapshots.flatMap(s => [
    `${s.target}  ${s.id}  ${s.tier}  ${formatBytes(s.bytes)} (raw ${formatBytes(s.rawBytes)})  sha256 ${s.sha256.slice(0, 16)}…  ${s.location}`,
    ...s.artifacts.map(a => `    ${a.name}  ${formatBytes(a.bytes)}  sha256 ${a.sha256}`),
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

/** `policy`: the retention as text, to say why a snapshot goes. */
export function describePrune(result: PruneResult, policy?: string): string[] {
  const verb = result.dryRun ? 'would remove' : 'removed';
  const why = policy ? ` (no rule of "${policy}" keeps it, and no kept snapshot depends on it)` : '';
  return result.tiers.flatMap(t => [
    `${t.tier}: keeps ${t.kept.length}, ${verb} ${t.pruned.length}${t.incompleteRemoved.length ? ` and ${t.incompleteRemoved.length} incomplete` : ''}`,
    ...t.kept.map(k => `  keep    ${k.id} (${k.reasons.join(', ')})`),
    ...t.pruned.map(id => `  ${result.dryRun ? 'prune?' : 'pruned'}  ${id}${why}`),
    ...t.incompleteRemoved.map(id => `  ${result.dryRun ? 'prune?' : 'pruned'}  ${id} (incomplete: no MANIFEST.json, started over an hour ago)`),
    ...t.skipped.map(s => `  skip    ${s.id} (${s.reason})`),
  ]);
}
