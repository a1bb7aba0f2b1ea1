import {
  MANIFEST_VERSION,
  snapshotManifestSchema,
  SnapshotManifest,
} from '@safekeep/plugin-backups-common';
import type { ManifestRead } from './SnapshotStorage';

/** Interprets the text of MANIFEST.json; never throws. */
export function parseManifestText(text: string): ManifestRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      status: 'unreadable',
      reason: `MANIFEST.json is not JSON (${(error as Error).message})`,
    };
  }
  const version = (json as { manifest_version?: unknown })?.manifest_version;
  if (typeof version === 'number' && version > MANIFEST_VERSION) {
    return { status: 'too-new', manifestVersion: version };
  }
  const parsed = snapshotManifestSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return {
      status: 'unreadable',
      reason: `MANIFEST.json is not a valid manifest (${first.path.join(
        '.',
      )}: ${first.message})`,
    };
  }
  return { status: 'ok', manifest: parsed.data };
}

export function manifestText(manifest: SnapshotManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
