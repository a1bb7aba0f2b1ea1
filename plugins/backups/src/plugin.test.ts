import { backupsApiRef, BackupsClient } from './api';
import { backupsPlugin, isBackupsAvailable } from './index';
import { bareEntity, configuredEntity } from './__testUtils__/fixtures';

describe('backupsPlugin', () => {
  it("is the 'backups' plugin and builds a BackupsClient from discovery and fetch", () => {
    expect(backupsPlugin.getId()).toBe('backups');
    const factory = [...backupsPlugin.getApis()].find(
      f => f.api.id === backupsApiRef.id,
    );
    expect(factory).toBeDefined();
    const client = factory!.factory({
      discoveryApi: { getBaseUrl: async () => 'http://localhost/api/backups' },
      fetchApi: { fetch },
    });
    expect(client).toBeInstanceOf(BackupsClient);
  });
});

describe('isBackupsAvailable', () => {
  it('is true only for entities with Safekeep annotations', () => {
    expect(isBackupsAvailable(configuredEntity)).toBe(true);
    expect(isBackupsAvailable(bareEntity)).toBe(false);
  });
});
