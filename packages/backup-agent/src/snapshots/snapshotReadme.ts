import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import { MANIFEST_FILE } from '@safekeep/plugin-backups-common';
import type { EngineDriver } from '../engines/EngineDriver';
import { manualCatCommand, rawArtifactName } from '../pipeline/compression';

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * README.md inside every snapshot: how to check and restore it by hand with plain tools,
 * for the day the agent is not at hand.
 */
export function snapshotReadme(input: {
  manifest: SnapshotManifest;
  driver: EngineDriver<unknown>;
  settings: unknown;
  agentName: string;
}): string {
  const { manifest, driver, settings } = input;
  const artifacts = manifest.artifacts.map(a => ({
    storedName: a.name,
    rawName: rawArtifactName(a.name, a.compression),
    catCommand: manualCatCommand(a.compression, a.name),
  }));
  const version = manifest.engine_version ? ` ${manifest.engine_version}` : '';
  return [
    `# Safekeep snapshot ${manifest.snapshot_id} of \`${manifest.target.name}\``,
    '',
    `- What: ${driver.describe(settings)} (engine \`${manifest.target.engine}\`${version})`,
    `- Taken: ${manifest.started_at} to ${manifest.finished_at} by ${manifest.tool.name} ${manifest.tool.version} on agent \`${input.agentName}\``,
    `- ${MANIFEST_FILE} is written last: a snapshot folder without it is incomplete and must not be restored.`,
    '',
    '## Files',
    '',
    '| file | stored | raw | sha256 | content |',
    '| --- | --- | --- | --- | --- |',
    ...manifest.artifacts.map(
      a => `| ${a.name} | ${formatBytes(a.bytes)} | ${formatBytes(a.raw_bytes)} | \`${a.sha256}\` | ${a.description ?? ''} |`,
    ),
    '',
    '## 1. Check the files',
    '',
    'In this folder (on macOS use `shasum -a 256 -c` instead of `sha256sum -c`):',
    '',
    '```sh',
    "sha256sum -c <<'SUMS'",
    ...manifest.artifacts.map(a => `${a.sha256}  ${a.name}`),
    'SUMS',
    '```',
    '',
    'Every line must end in `OK`. If one does not, this copy is damaged: use another tier or snapshot.',
    '',
    '## 2. Restore by hand',
    '',
    driver.manualRestoreSteps(settings, artifacts),
    '',
    '## Or with the agent',
    '',
    '```sh',
    `safekeep-agent restore --config /path/to/agent.yaml --target ${manifest.target.name} --snapshot ${manifest.snapshot_id}`,
    '```',
    '',
    'The agent checks the checksums before it touches anything, refuses a non-empty destination',
    'without `--force`, and compares the result with `details` in MANIFEST.json.',
    '',
  ].join('\n');
}
