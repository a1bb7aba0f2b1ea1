import { KNOWN_ENGINES } from '@safekeep/plugin-backups-common';
import { supportedEngines } from './registry';

describe('the engine registry', () => {
  it('ships exactly the engines -common lists as known (for the UI and the docs)', () => {
    expect([...supportedEngines()].sort()).toEqual([...KNOWN_ENGINES].sort());
  });
});
