import { z } from 'zod';
import { field } from '../../config/describeField';

export function milvusSettingsSchema() {
  return z
    .object({
      container: z
        .string(field('the container milvus-backup runs in (docker exec)'))
        .min(1),
      backupDir: z
        .string(
          field(
            "where milvus-backup's local backup storage keeps backups inside that container (backupStorageType: local, backupRootPath)",
          ),
        )
        .regex(
          /^\/.+/,
          'must be an absolute path in the container, such as /milvus-backup/backup',
        ),
      collections: z
        .array(
          z
            .string(field('a collection name'))
            .regex(
              /^[A-Za-z_][A-Za-z0-9_]*$/,
              'must be a Milvus collection name',
            ),
          field('the collections to back up (all when left out)', 'a list'),
        )
        .min(1)
        .optional(),
      configFile: z
        .string(
          field(
            "milvus-backup's backup.yaml inside the container (default: its own configs/backup.yaml)",
          ),
        )
        .regex(/^\/.+/, 'must be an absolute path')
        .optional(),
      deleteAfterCopy: z
        .boolean(
          field(
            'whether to delete the backup from milvus-backup storage once the agent stored it',
            'true or false',
          ),
        )
        .default(true),
    })
    .strict();
}

export type MilvusSettings = z.infer<ReturnType<typeof milvusSettingsSchema>>;
