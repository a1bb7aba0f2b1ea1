import { parseBackupPolicy } from '@safekeep/plugin-backups-common';
import type { Entity } from '@backstage/catalog-model';
import { setupYaml } from './setupYaml';
import { bareEntity } from '../../__testUtils__/fixtures';

/** Reads the YAML back the way the catalog would, for the annotations only. */
function annotationsOf(yaml: string): Record<string, string> {
  const entries = yaml
    .split('\n')
    .filter(line => line.startsWith('    safekeep.io/'))
    .map(line => {
      const [key, ...rest] = line.trim().split(': ');
      return [key, JSON.parse(rest.join(': '))];
    });
  return Object.fromEntries(entries);
}

describe('setupYaml', () => {
  it('names the entity and uses its spec.type as the engine when it is one', () => {
    const yaml = setupYaml(bareEntity);
    expect(yaml).toContain(
      'kind: Resource\nmetadata:\n  name: cache\n  annotations:\n',
    );
    expect(annotationsOf(yaml)['safekeep.io/engine']).toBe('redis');
  });

  it('gives annotations that parse as a valid policy once pasted', () => {
    const entity: Entity = {
      ...bareEntity,
      spec: { type: 'website' },
      metadata: {
        name: 'cache',
        annotations: annotationsOf(setupYaml(bareEntity)),
      },
    };
    expect(parseBackupPolicy(entity).status).toBe('configured');
    expect(annotationsOf(setupYaml(entity))['safekeep.io/engine']).toBe(
      'postgres',
    );
  });
});
