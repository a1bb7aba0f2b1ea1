import type { Entity } from '@backstage/catalog-model';
import { createExtensionTester } from '@backstage/frontend-test-utils';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { entityTeamBackupsCard } from './teamCard';

const entity = (kind: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind,
  metadata: { name: 'x' },
});

describe('the team backups card in the new frontend system', () => {
  it('shows on groups only, through a filter that raises no deprecation warning', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const tester = createExtensionTester(entityTeamBackupsCard);
      const applies = tester.get(EntityCardBlueprint.dataRefs.filterFunction);
      expect(applies?.(entity('Group'))).toBe(true);
      expect(applies?.(entity('group'))).toBe(true);
      expect(applies?.(entity('Resource'))).toBe(false);
      // A string default filter ('kind:group') warns "DEPRECATION WARNING" at every app start
      // in plugin-catalog-react 4, and hands the app an expression instead of a function.
      expect(
        warn.mock.calls.filter(args => /deprecat/i.test(String(args[0]))),
      ).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
