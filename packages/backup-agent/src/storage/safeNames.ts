import { MANIFEST_FILE } from '@safekeep/plugin-backups-common';
import { isSnapshotId } from './snapshotId';

export const README_FILE = 'README.md';

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Names become path segments and object keys: reject anything that could climb out of the
 * snapshot folder, whatever the caller or a tampered manifest says.
 */
export function assertSafeRef(target: string, id: string): void {
  if (!SEGMENT.test(target) || target.includes('..'))
    throw new Error(`"${target}" is not a valid target name`);
  if (!isSnapshotId(id))
    throw new Error(
      `"${id}" is not a snapshot id (they look like 20260118T040000Z)`,
    );
}

export function assertSafeArtifactName(name: string): void {
  const reserved = name === MANIFEST_FILE || name === README_FILE;
  if (
    !SEGMENT.test(name) ||
    name.includes('..') ||
    name.endsWith('.partial') ||
    reserved
  ) {
    throw new Error(`"${name}" is not a valid artifact name`);
  }
}

/** A key of the tier's shared area: `/`-separated segments of the same safe characters. */
export function assertSafeObjectKey(key: string): void {
  if (!key.split('/').every(part => SEGMENT.test(part) && !part.includes('..')))
    throw new Error(`"${key}" is not a valid object key`);
}
