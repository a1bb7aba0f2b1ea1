import fs from 'node:fs';
import path from 'node:path';

/**
 * Names of stored artifacts in either snapshot format, for tests through the real agent: an
 * engine's `app-db.db` is stored as `app-db.db.zst` (whole) or as its chunk index
 * `app-db.db.chunks.zst` (chunked, the default), and the manifest records that file either way.
 */
export function storedNamePattern(rawName: string): RegExp {
  const escaped = rawName.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^${escaped}(\\.chunks)?\\.zst$`);
}

/** The file in a snapshot folder that the manifest records for the engine's `rawName`. */
export function storedArtifactFile(
  snapshotFolder: string,
  rawName: string,
): string {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(snapshotFolder, 'MANIFEST.json'), 'utf8'),
  ) as { artifacts: Array<{ name: string }> };
  const pattern = storedNamePattern(rawName);
  const found = manifest.artifacts.filter(a => pattern.test(a.name));
  if (found.length !== 1) {
    throw new Error(
      `expected one artifact stored for ${rawName} in ${snapshotFolder}, the manifest lists ${manifest.artifacts
        .map(a => a.name)
        .join(', ')}`,
    );
  }
  return path.join(snapshotFolder, found[0].name);
}
