import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { compressionSchema } from '@safekeep/plugin-backups-common';
import type { ConfigContext } from './ConfigContext';
import { field } from './describeField';
import { NAME_PATTERN } from './namePattern';
import { localPath } from './localPath';
import { secretRefSchema } from './secretRef';
import {
  encryptionSettingsSchema,
  targetEncryptionSchema,
} from './encryptionSettings';
import { dockerSettingsSchema } from '../docker/dockerSettings';
import { groupSettingsSchema } from '../groups/groupSettings';
import { destinationSettingsSchema } from '../destinations/destinationSettings';

export function nameSchema(what: string) {
  return z
    .string(field(what))
    .regex(
      NAME_PATTERN,
      `must be a name of letters, digits, ".", "_" or "-" (at most 64 characters, starting and ending with a letter or digit): ${what}`,
    );
}

const compression = z.enum(compressionSchema.options, {
  errorMap: () => ({
    message: `must be one of ${compressionSchema.options.join(', ')}`,
  }),
});

/** The HMAC key that seals manifests (docs/security.md); never stored in the tier itself. */
function manifestKeySchema(context: ConfigContext) {
  return secretRefSchema(
    context,
    'the key that authenticates manifests (at least 32 characters: openssl rand -hex 32)',
  ).optional();
}
/**
 * How a tier stores new snapshots: `chunked` (content-defined chunks stored once per tier,
 * the default) or `whole` (one compressed file per artifact). Both are always read.
 */
export const STORAGE_FORMATS = ['chunked', 'whole'] as const;
export type StorageFormat = (typeof STORAGE_FORMATS)[number];
const format = z
  .enum(STORAGE_FORMATS, {
    errorMap: () => ({
      message:
        'must be "chunked" (deduplicated chunks, the default) or "whole" (one compressed file per artifact)',
    }),
  })
  .default('chunked');

function filesystemStorageSchema(context: ConfigContext) {
  return z
    .object({
      type: z.literal('filesystem'),
      path: localPath(context, 'the folder that holds the snapshots'),
      manifestKey: manifestKeySchema(context),
      format,
    })
    .strict();
}

function s3StorageSchema(context: ConfigContext) {
  return z
    .object({
      type: z.literal('s3'),
      bucket: z
        .string(field('the bucket that holds the snapshots'))
        .min(3, 'must be a bucket name of at least 3 characters'),
      prefix: z
        .string(field('the key prefix under which snapshots are stored'))
        .default('')
        .transform(p => p.replace(/^\/+|\/+$/g, '')),
      endpoint: z
        .string(field('the S3 endpoint URL, for S3-compatible services'))
        .url('must be a URL such as http://127.0.0.1:9000')
        .optional(),
      region: z.string(field('the S3 region')).default('us-east-1'),
      format,
      forcePathStyle: z
        .boolean(
          field(
            'whether to use path-style URLs (MinIO, s3rver)',
            'true or false',
          ),
        )
        .default(false),
      accessKeyId: secretRefSchema(context, 'the S3 access key id').optional(),
      secretAccessKey: secretRefSchema(
        context,
        'the S3 secret access key',
      ).optional(),
      partSizeMiB: z
        .number(field('the multipart upload part size in MiB', 'a number'))
        .int()
        .min(5)
        .max(5120)
        .default(16),
      serverSideEncryption: z
        .enum(['AES256', 'aws:kms'], {
          errorMap: () => ({
            message:
              'must be "AES256" (S3-managed keys) or "aws:kms" (a KMS key); leave it out to let the bucket\'s default encryption decide',
          }),
        })
        .optional(),
      kmsKeyId: z
        .string(
          field('the KMS key id or ARN for serverSideEncryption: aws:kms'),
        )
        .min(1)
        .optional(),
      manifestKey: manifestKeySchema(context),
    })
    .strict();
}

function storageSchema(context: ConfigContext) {
  return z
    .discriminatedUnion(
      'type',
      [filesystemStorageSchema(context), s3StorageSchema(context)],
      {
        errorMap: (issue, ctx) =>
          issue.code === 'invalid_union_discriminator'
            ? {
                message:
                  'must be "filesystem" (a local folder) or "s3" (an S3-compatible bucket)',
              }
            : { message: ctx.defaultError },
      },
    )
    .superRefine((value, ctx) => {
      if (
        value.type === 's3' &&
        !!value.accessKeyId !== !!value.secretAccessKey
      ) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [value.accessKeyId ? 'secretAccessKey' : 'accessKeyId'],
          message:
            'required when the other S3 credential is given: set both accessKeyId and secretAccessKey, or neither to use the AWS default credential chain',
        });
      }
      if (
        value.type === 's3' &&
        value.kmsKeyId &&
        value.serverSideEncryption !== 'aws:kms'
      ) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['kmsKeyId'],
          message:
            'names a KMS key, which only serverSideEncryption: aws:kms uses; set serverSideEncryption: aws:kms or remove kmsKeyId',
        });
      }
    });
}

/**
 * The agent's YAML config, except the engine-specific settings of each target: those stay
 * raw here and are validated by the engine driver's own schema (see loadConfig).
 */
export function configFileSchema(context: ConfigContext) {
  return z
    .object(
      {
        agent: z
          .object(
            {
              name: nameSchema('the name the backend knows this agent by'),
              listen: z
                .object({
                  host: z
                    .string(field('the address the HTTP API listens on'))
                    .default('127.0.0.1'),
                  port: z
                    .number(
                      field('the TCP port the HTTP API listens on', 'a number'),
                    )
                    .int()
                    .min(0)
                    .max(65535)
                    .default(7400),
                  tls: z
                    .object({
                      cert: localPath(
                        context,
                        'the PEM certificate (chain) file the HTTPS listener presents',
                      ),
                      key: localPath(
                        context,
                        'the PEM private key file of that certificate',
                      ),
                    })
                    .strict()
                    .optional(),
                })
                .strict()
                .default({}),
              token: secretRefSchema(
                context,
                'the bearer token the backend sends',
              ),
              requireSignedRequests: z
                .boolean(
                  field(
                    "whether every request must carry the backend's signature (timestamp, nonce, HMAC), so a captured request cannot be replayed (default: required unless the agent listens on loopback only)",
                    'true or false',
                  ),
                )
                .optional(),
              staging: localPath(
                context,
                'a folder for temporary files',
              ).default(path.join(os.tmpdir(), 'safekeep-agent')),
            },
            field('the agent section with name, listen and token', 'an object'),
          )
          .strict(),
        storage: z
          .record(
            nameSchema('a storage tier name'),
            storageSchema(context),
            field('the storage tiers, e.g. local and offsite', 'an object'),
          )
          .refine(
            tiers => Object.keys(tiers).length > 0,
            'needs at least one tier, e.g. local: { type: filesystem, path: /var/backups/safekeep }',
          ),
        defaults: z
          .object({
            compression: compression.default('zstd'),
            encryption: encryptionSettingsSchema(context).optional(),
            manifestKey: manifestKeySchema(context),
          })
          .strict()
          .default({}),
        targets: z.record(
          nameSchema('a target name'),
          z
            .object(
              {
                engine: z.string(field('the engine of this target')),
                tiers: z
                  .array(
                    nameSchema('a storage tier name'),
                    field(
                      'the storage tiers to write, first the primary',
                      'a list',
                    ),
                  )
                  .min(1)
                  .optional(),
                compression: compression.optional(),
                encryption: targetEncryptionSchema(context).optional(),
                destinations: destinationSettingsSchema(context),
              },
              field('the target settings', 'an object'),
            )
            .passthrough(),
          field('the things to back up, by name', 'an object'),
        ),
        docker: dockerSettingsSchema(context).optional(),
        groups: z
          .record(
            nameSchema('a group name'),
            groupSettingsSchema(nameSchema('a target name')),
            field(
              'consistency groups: containers stopped together while their targets are backed up',
              'an object',
            ),
          )
          .default({}),
      },
      field('a YAML mapping with agent, storage and targets', 'an object'),
    )
    .strict();
}

export type ConfigFile = z.infer<ReturnType<typeof configFileSchema>>;
export type StorageConfig = z.infer<ReturnType<typeof storageSchema>>;
export type FilesystemStorageConfig = Extract<
  StorageConfig,
  { type: 'filesystem' }
>;
export type S3StorageConfig = Extract<StorageConfig, { type: 's3' }>;
