import type Docker from 'dockerode';
import { z } from 'zod';
import type { EngineDriver } from '../engines/EngineDriver';
import { registerEngineDriver } from '../engines/registry';
import { flakyDriver } from '../testing/flakyDriver';
import { testConfig } from '../testing/testConfig';
import type { DockerRuntime } from './DockerRuntime';
import { discoverLabelledTargets } from './discoverLabelledTargets';

/** An engine from another package: its driver alone says it can be discovered from labels. */
const ledgerDriver: EngineDriver<{ container: string; host?: string }> = {
  ...(flakyDriver as unknown as EngineDriver<any>),
  engine: 'ledger',
  capabilities: { labelDiscovery: true, containerExec: true },
  settingsSchema: () =>
    z.object({ container: z.string(), host: z.string().optional() }).strict(),
};

function engineWith(labels: Record<string, string>): DockerRuntime {
  const info = {
    Id: 'ledger-1',
    Names: ['/ledger-1'],
    Labels: labels,
    State: 'running',
    NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.9' } } },
  } as unknown as Docker.ContainerInfo;
  const docker = {
    listContainers: async (options: { filters: { label: string[] } }) =>
      options.filters.label.every(l => l in labels) ? [info] : [],
  };
  return { docker } as unknown as DockerRuntime;
}

describe('label discovery of an engine registered at run time', () => {
  const config = testConfig('/tmp', {});

  it('follows the capabilities its driver declares', async () => {
    const unregister = registerEngineDriver(ledgerDriver);
    try {
      const found = await discoverLabelledTargets(
        engineWith({ 'safekeep.io/engine': 'ledger' }),
        config,
      );
      expect(found.problems).toEqual([]);
      // containerExec: the labelled container; no network capability: no host.
      expect(found.targets.map(t => [t.name, t.engine, t.settings])).toEqual([
        ['ledger-1', 'ledger', { container: 'ledger-1' }],
      ]);
    } finally {
      unregister();
    }
  });

  it('refuses an engine whose driver does not declare label discovery, listing those that do', async () => {
    const unregister = registerEngineDriver({
      ...ledgerDriver,
      capabilities: {},
    });
    try {
      const found = await discoverLabelledTargets(
        engineWith({ 'safekeep.io/engine': 'ledger' }),
        config,
      );
      expect(found.targets).toEqual([]);
      expect(found.problems).toEqual([
        'container ledger-1 (safekeep.io/engine=ledger): engine "ledger" cannot be discovered from labels; use one of postgres, mariadb, redis, volume, neo4j, milvus, clickhouse',
      ]);
    } finally {
      unregister();
    }
  });

  it('refuses a driver whose name could not cross the API and the catalog as it is', () => {
    expect(() =>
      registerEngineDriver({ ...ledgerDriver, engine: 'Ledger DB' }),
    ).toThrow('"Ledger DB" is not an engine name');
  });
});
