import type { SnapshotArtifact } from '@safekeep/plugin-backups-common';
import { compressionSuffix, manualCatCommand } from './compression';
import { ENCRYPTED_SUFFIX } from './encryption';

type NamedArtifact = Pick<
  SnapshotArtifact,
  'name' | 'compression' | 'encryption' | 'chunked'
>;

/** Suffix of a chunk index file, before the compression and encryption suffixes. */
export const CHUNK_INDEX_SUFFIX = '.chunks';

/**
 * The artifact's name as the engine produced it: without `.enc`, the compression suffix and,
 * for a chunked artifact, `.chunks`.
 */
export function rawNameOf(artifact: NamedArtifact): string {
  let name = artifact.name;
  if (artifact.encryption && name.endsWith(ENCRYPTED_SUFFIX))
    name = name.slice(0, -ENCRYPTED_SUFFIX.length);
  const suffix = compressionSuffix(artifact.compression);
  if (suffix && name.endsWith(suffix)) name = name.slice(0, -suffix.length);
  return artifact.chunked && name.endsWith(CHUNK_INDEX_SUFFIX)
    ? name.slice(0, -CHUNK_INDEX_SUFFIX.length)
    : name;
}

/** The shell command that writes an artifact's raw bytes to stdout, for READMEs. */
export function manualRawCommand(artifact: NamedArtifact): string {
  if (artifact.chunked) {
    // No standard tool joins chunks; the agent's `cat` reads this folder and its tier.
    const key = artifact.encryption ? ' --key-file KEY_FILE' : '';
    return `safekeep-agent cat --from .${key} ${rawNameOf(artifact)}`;
  }
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
