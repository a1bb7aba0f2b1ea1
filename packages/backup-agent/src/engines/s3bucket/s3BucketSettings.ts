import { z } from 'zod';
import type { ConfigContext } from '../../config/ConfigContext';
import { field } from '../../config/describeField';
import { secretRefSchema } from '../../config/secretRef';

/** S3 bucket names: 3 to 63 lowercase letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function bucketNameSchema(what: string) {
  return z
    .string(field(what))
    .regex(
      BUCKET_NAME,
      `must be an S3 bucket name: 3 to 63 lowercase letters, digits, "." or "-" (${what})`,
    );
}

/** A key prefix as a folder: no leading slash, one trailing slash ("" for the whole bucket). */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

export function s3BucketSettingsSchema(context: ConfigContext) {
  return z
    .object({
      endpoint: z
        .string(
          field(
            'the S3 endpoint URL, for S3-compatible services such as MinIO',
          ),
        )
        .url('must be a URL such as http://127.0.0.1:9000')
        .optional(),
      region: z.string(field('the S3 region')).min(1).default('us-east-1'),
      forcePathStyle: z
        .boolean(
          field(
            'whether to use path-style URLs (MinIO, SeaweedFS, s3rver)',
            'true or false',
          ),
        )
        .default(false),
      bucket: bucketNameSchema('the bucket to back up'),
      prefix: z
        .string(
          field(
            'the folder (key prefix) to back up; the whole bucket when left out',
          ),
        )
        .default('')
        .transform(normalizePrefix),
      accessKeyId: secretRefSchema(context, 'the S3 access key id').optional(),
      secretAccessKey: secretRefSchema(
        context,
        'the S3 secret access key',
      ).optional(),
    })
    .strict()
    .superRefine((value, ctx) => {
      if (!!value.accessKeyId !== !!value.secretAccessKey) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [value.accessKeyId ? 'secretAccessKey' : 'accessKeyId'],
          message:
            'required when the other S3 credential is given: set both accessKeyId and secretAccessKey, or neither to use the AWS default credential chain',
        });
      }
    });
}

export type S3BucketSettings = z.infer<
  ReturnType<typeof s3BucketSettingsSchema>
>;
