import { z } from 'zod';
import type { ConfigContext } from './ConfigContext';
import { field } from './describeField';
import { SecretRef, secretRefSchema } from './secretRef';

/** A key id: a name people recognise, recorded in manifests ("prod-2026"). */
const KEY_ID = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/i;

export interface EncryptionKeyRef {
  keyId: string;
  key: SecretRef;
}

/** `encryption: { keyId, key, previousKeys }`: the key new backups use, and older ones kept for restores. */
export interface EncryptionSettings extends EncryptionKeyRef {
  previousKeys: EncryptionKeyRef[];
}

function keyRefShape(context: ConfigContext) {
  return {
    keyId: z
      .string(
        field('the id recorded in manifests for this key, e.g. prod-2026'),
      )
      .regex(
        KEY_ID,
        'must be a name of letters, digits, ".", "_" or "-" (at most 64 characters): the id recorded in manifests for this key',
      ),
    key: secretRefSchema(
      context,
      'the 256-bit encryption key (64 hex characters, e.g. from openssl rand -hex 32)',
    ),
  };
}

export function encryptionSettingsSchema(context: ConfigContext) {
  return z
    .object(
      {
        ...keyRefShape(context),
        previousKeys: z
          .array(
            z.object(keyRefShape(context)).strict(),
            field(
              'older keys, kept so their snapshots can still be restored',
              'a list',
            ),
          )
          .default([]),
      },
      field(
        'client-side encryption: { keyId, key: { env | file } }',
        'an object',
      ),
    )
    .strict();
}

/** On a target: its own key, or `false` to store it unencrypted despite defaults.encryption. */
export function targetEncryptionSchema(context: ConfigContext) {
  return z.union([z.literal(false), encryptionSettingsSchema(context)]);
}
