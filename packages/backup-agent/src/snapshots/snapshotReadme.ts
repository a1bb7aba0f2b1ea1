import type { SnapshotManifest } from '@safekeep/plugin-backups-common';
import { MANIFEST_FILE } from '@safekeep/plugin-backups-common';
import { formatBytes } from '../cli/formatBytes';
import type { EngineDriver } from '../engines/EngineDriver';
import { manualRawCommand, rawNameOf } from '../pipeline/artifactNames';

/** For encrypted snapshots: which key, and how to decrypt without a running agent. */
function decryptionSection(manifest: SnapshotManifest): string[] {
  const keyIds = [
    ...new Set(
      manifest.artifacts.flatMap(a =>
        a.encryption ? [a.encryption.key_id] : [],
      ),
    ),
  ];
  if (keyIds.length === 0) return [];
  return [
    '## Decrypting',
    '',
    `The \`.enc\` files are encrypted on the agent (AES-256-GCM in authenticated chunks, \`aes-256-gcm-chunked\`)`,
    `with the key ${keyIds
      .map(k => `\`${k}\``)
      .join(
        ', ',
      )}. The key is not stored with the backup: get it from where the agent`,
    'config points (`encryption.key`: an environment variable or a file holding 64 hex characters) and write it',
    "to a file readable only by you. No standard tool reads this format; the agent's own command does, and",
    'refuses (exit code 1, nothing printed after the damaged point) a wrong key, a changed byte or a cut-short file:',
    '',
    '```sh',
    'safekeep-agent decrypt --key-file KEY_FILE < FILE.enc > FILE',
    '```',
    '',
    'The commands below decrypt on the fly (`KEY_FILE` is that file). Do not use the output of a command that failed.',
    '',
  ];
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
    rawName: rawNameOf(a),
    catCommand: manualRawCommand(a),
  }));
  const version = manifest.engine_version ? ` ${manifest.engine_version}` : '';
  return [
    `# Safekeep snapshot ${manifest.snapshot_id} of \`${manifest.target.name}\``,
    '',
    `- What: ${driver.describe(settings)} (engine \`${
      manifest.target.engine
    }\`${version})`,
    `- Taken: ${manifest.started_at} to ${manifest.finished_at} by ${manifest.tool.name} ${manifest.tool.version} on agent \`${input.agentName}\``,
    `- ${MANIFEST_FILE} is written last: a snapshot folder without it is incomplete and must not be restored.`,
    '',
    '## Files',
    '',
    '| file | stored | raw | sha256 | content |',
    '| --- | --- | --- | --- | --- |',
    ...manifest.artifacts.map(
      a =>
        `| ${a.name} | ${formatBytes(a.bytes)} | ${formatBytes(
          a.raw_bytes,
        )} | \`${a.sha256}\` | ${a.description ?? ''} |`,
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
    ...decryptionSection(manifest),
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
