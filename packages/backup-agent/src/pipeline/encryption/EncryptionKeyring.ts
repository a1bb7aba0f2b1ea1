import type { AgentConfig, TargetConfig } from '../../config/loadConfig';
import type { EncryptionKeyRef } from '../../config/encryptionSettings';
import { resolveSecret, SecretError } from '../../config/secretRef';
import { EncryptionKey, parseEncryptionKey } from './EncryptionKey';

/** A key the agent cannot use: not configured, its secret missing, or malformed. Names the id, never the key. */
export class KeyUnavailableError extends Error {
  constructor(message: string, readonly keyId: string) {
    super(message);
    this.name = 'KeyUnavailableError';
  }
}

/** The encryption that applies to a target: its own setting, else the defaults'. `false` means none. */
export function targetEncryption(config: AgentConfig, target: TargetConfig) {
  return target.encryption !== undefined
    ? target.encryption
    : config.defaults.encryption;
}

function refsOf(config: AgentConfig): EncryptionKeyRef[] {
  const settings = [
    config.defaults.encryption,
    ...Object.values(config.targets).map(t => t.encryption),
  ];
  return settings.flatMap(s =>
    s ? [{ keyId: s.keyId, key: s.key }, ...s.previousKeys] : [],
  );
}

/**
 * Every key the config names (defaults, targets, previousKeys), read from its secret when
 * first used. Key ids are global: the same id configured with two different keys is refused.
 */
export class EncryptionKeyring {
  private readonly cache = new Map<string, EncryptionKey>();

  constructor(private readonly config: AgentConfig) {}

  /** The key new backups of the target use; undefined when the target is not encrypted. */
  forTarget(target: TargetConfig): EncryptionKey | undefined {
    const settings = targetEncryption(this.config, target);
    return settings ? this.byId(settings.keyId) : undefined;
  }

  /** The key with this id, for decryption. */
  byId(keyId: string): EncryptionKey {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const refs = refsOf(this.config).filter(r => r.keyId === keyId);
    if (refs.length === 0) {
      const known = [...new Set(refsOf(this.config).map(r => r.keyId))];
      throw new KeyUnavailableError(
        `encryption key "${keyId}" is not configured on this agent (${
          known.length ? `it knows ${known.join(', ')}` : 'it has no keys'
        }); ` +
          `add it to the config as encryption: { keyId: ${keyId}, key: { env | file } } or under encryption.previousKeys`,
        keyId,
      );
    }
    const keys = refs.map(ref => {
      try {
        return parseEncryptionKey(resolveSecret(ref.key), keyId, ref.key.field);
      } catch (error) {
        const reason =
          error instanceof SecretError
            ? error.message
            : (error as Error).message;
        throw new KeyUnavailableError(
          `encryption key "${keyId}" cannot be read: ${reason}`,
          keyId,
        );
      }
    });
    if (keys.some(k => !k.bytes.equals(keys[0].bytes))) {
      throw new KeyUnavailableError(
        `encryption key id "${keyId}" is configured with two different keys (${refs
          .map(r => r.key.field)
          .join(', ')}); give each key its own id`,
        keyId,
      );
    }
    this.cache.set(keyId, keys[0]);
    return keys[0];
  }
}
