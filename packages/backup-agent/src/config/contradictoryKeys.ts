import { parseEncryptionKey } from '../pipeline/encryption/EncryptionKey';
import type { EncryptionSettings } from './encryptionSettings';
import { resolveSecret } from './secretRef';

/**
 * Key ids are global: one id configured (in defaults, a target or previousKeys) with two keys
 * that differ would encrypt with one and fail to decrypt with the other. Refused when the config
 * is validated, not at the first backup. A key that cannot be read yet is left to the moment
 * it is needed, which names what is missing.
 */
export function contradictoryKeys(
  settings: (EncryptionSettings | false | undefined)[],
): string[] {
  const byId = new Map<string, { field: string; bytes: Buffer }[]>();
  for (const setting of settings) {
    if (!setting) continue;
    for (const ref of [setting, ...setting.previousKeys]) {
      let bytes: Buffer;
      try {
        bytes = parseEncryptionKey(
          resolveSecret(ref.key),
          ref.keyId,
          ref.key.field,
        ).bytes;
      } catch {
        continue;
      }
      const seen = byId.get(ref.keyId) ?? [];
      if (!seen.some(s => s.field === ref.key.field))
        seen.push({ field: ref.key.field, bytes });
      byId.set(ref.keyId, seen);
    }
  }
  const problems: string[] = [];
  for (const [keyId, keys] of byId) {
    if (keys.every(k => k.bytes.equals(keys[0].bytes))) continue;
    problems.push(
      `${keys
        .map(k => k.field)
        .join(
          ', ',
        )}: encryption key id "${keyId}" is configured with different keys; give each key its own id (keep an older one under encryption.previousKeys with its own id)`,
    );
  }
  return problems;
}
