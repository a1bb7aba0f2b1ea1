import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import { compressionSuffix, manualCatCommand } from './compression';
import { ENCRYPTED_SUFFIX } from './encryption';

type NamedArtifact = Pick<
  SnapshotArtifact,
  'name' | 'compression' | 'encryption'
>;

/** The artifact's name as the engine produced it: without `.enc` and the compression suffix. */
export function rawNameOf(artifact: NamedArtifact): string {
  let name = artifact.name;
  if (artifact.encryption && name.endsWith(ENCRYPTED_SUFFIX))
    name = name.slice(0, -ENCRYPTED_SUFFIX.length);
  const suffix = compressionSuffix(artifact.compression);
  return suffix && name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

/** The shell command that writes an artifact's raw bytes to stdout, for READMEs. */
export function manualRawCommand(artifact: NamedArtifact): string {
  if (!artifact.encryption)
    return manualCatCommand(artifact.compression, artifact.name);
  const decrypt = `safekeep-agent decrypt --key-file KEY_FILE < ${artifact.name}`;
  switch (artifact.compression) {
    case 'zstd':
      return `${decrypt} | zstd -dc`;
    case 'gzip':
      return `${decrypt} | gzip -dc`;
    default:
      return decrypt;
  }
}
