import type { Entity } from '@backstage/catalog-model';
import {
  exampleAnnotations,
  isKnownEngine,
} from '@safekeep/plugin-backups-common';

/**
 * A catalog-info.yaml excerpt for this entity with an example Safekeep policy.
 * Values are double-quoted (JSON strings are valid YAML) so any value stays one scalar.
 * The engine follows the entity's spec.type when that names one (a Resource of type "redis").
 */
export function setupYaml(entity: Entity): string {
  const type = typeof entity.spec?.type === 'string' ? entity.spec.type : '';
  const annotations = exampleAnnotations(
    isKnownEngine(type) ? type : undefined,
  );
  const lines = [
    `apiVersion: ${entity.apiVersion}`,
    `kind: ${entity.kind}`,
    'metadata:',
    `  name: ${entity.metadata.name}`,
    '  annotations:',
    ...Object.entries(annotations).map(
      ([key, value]) => `    ${key}: ${JSON.stringify(value)}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
