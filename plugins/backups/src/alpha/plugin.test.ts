import type { Entity } from '@backstage/catalog-model';
import plugin from '../alpha';
import { bareEntity, configuredEntity } from '../__testUtils__/fixtures';
import { showsBackupsTab } from './filters';

describe('backups plugin for the new frontend system', () => {
  it('provides the API, the entity tab and the overview card', () => {
    expect(String(plugin)).toBe('Plugin{id=backups}');
    expect(plugin.getExtension('api:backups')).toBeDefined();
    expect(plugin.getExtension('entity-content:backups')).toBeDefined();
    expect(String(plugin.getExtension('entity-card:backups/status'))).toContain(
      'attachTo=entity-content:catalog/overview@cards',
    );
  });

  it('provides the team page at /backups and the group card', () => {
    expect(plugin.getExtension('page:backups')).toBeDefined();
    expect(String(plugin.getExtension('page:backups'))).toContain(
      'attachTo=app/routes@routes',
    );
    expect(String(plugin.getExtension('entity-card:backups/team'))).toContain(
      'attachTo=entity-content:catalog/overview@cards',
    );
    expect(Object.keys(plugin.routes)).toEqual(['root', 'teamPage']);
  });
});

describe('showsBackupsTab', () => {
  const component: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'web' },
    spec: { type: 'website' },
  };

  it('shows the tab on annotated entities of any kind', () => {
    expect(showsBackupsTab(configuredEntity)).toBe(true);
    expect(
      showsBackupsTab({
        ...component,
        metadata: { name: 'web', annotations: { 'safekeep.io/agent': 'h' } },
      }),
    ).toBe(true);
  });

  it('shows it on every Resource, so unconfigured ones learn what to add', () => {
    expect(showsBackupsTab(bareEntity)).toBe(true);
  });

  it('leaves it off other entities without annotations', () => {
    expect(showsBackupsTab(component)).toBe(false);
    expect(
      showsBackupsTab({
        ...component,
        metadata: {
          name: 'web',
          annotations: { 'safekeep.io/consistency-group': 'g' },
        },
      }),
    ).toBe(false);
  });
});
