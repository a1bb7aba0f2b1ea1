import { z } from 'zod';
import { field } from '../../config/describeField';

export function neo4jSettingsSchema() {
  return z
    .object({
      container: z
        .string(
          field(
            'the Neo4j container (its image and volumes are used for neo4j-admin)',
          ),
        )
        .min(1),
      database: z
        .string(field('the database to dump'))
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9.-]*$/,
          'must be a Neo4j database name such as neo4j',
        )
        .default('neo4j'),
      dataPath: z
        .string(
          field(
            'where the container keeps its data (the volume holding databases/)',
          ),
        )
        .regex(
          /^\/[^\0]*$/,
          'must be an absolute path in the container, such as /data',
        )
        .default('/data'),
    })
    .strict();
}

export type Neo4jSettings = z.infer<ReturnType<typeof neo4jSettingsSchema>>;
