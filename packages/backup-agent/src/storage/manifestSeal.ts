import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SnapshotManifest } from '@safekeep/plugin-backups-common';

/**
 * JSON with object keys sorted and no spaces: the bytes the MAC covers, the same however the
 * manifest was formatted or its keys ordered when it was written.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function macOf(manifest: SnapshotManifest, key: string): string {
  const { authentication: _ignored, ...covered } = manifest;
  return createHmac('sha256', key).update(canonicalJson(covered)).digest('hex');
}

/** The manifest with its `authentication` (HMAC-SHA256 over everything else). */
export function sealManifest(
  manifest: SnapshotManifest,
  key: string,
): SnapshotManifest {
  return {
    ...manifest,
    authentication: { algorithm: 'hmac-sha256', mac: macOf(manifest, key) },
  };
}

/** Why a manifest cannot be trusted under `key`, or undefined when its MAC matches. */
export function manifestSealProblem(
  manifest: SnapshotManifest,
  key: string,
): string | undefined {
  if (!manifest.authentication)
    return 'MANIFEST.json is not authenticated (no authentication field), but this tier has a manifest key: it was written without the key, or someone with access to the storage rewrote it';
  const expected = Buffer.from(macOf(manifest, key), 'hex');
  const found = Buffer.from(manifest.authentication.mac, 'hex');
  if (found.length !== expected.length || !timingSafeEqual(found, expected))
    return "MANIFEST.json failed authentication (its HMAC does not match under this tier's manifest key): it was changed after it was written, or written under another key";
  return undefined;
}
