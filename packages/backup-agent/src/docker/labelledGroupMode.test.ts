import type Docker from 'dockerode';
import { testConfig } from '../testing/testConfig';
import type { DockerRuntime } from './DockerRuntime';
import { discoverLabelledTargets } from './discoverLabelledTargets';

/** A Docker Engine that lists these containers (by their labels), as listContainers filters them. */
function engineWith(
  containers: Array<{ name: string; labels: Record<string, string> }>,
): DockerRuntime {
  const docker = {
    listContainers: async (options: { filters: { label: string[] } }) =>
      containers
        .filter(c => options.filters.label.every(l => l in c.labels))
        .map(
          c =>
            ({
              Id: c.name,
              Names: [`/${c.name}`],
              Labels: c.labels,
              State: 'running',
            } as unknown as Docker.ContainerInfo),
        ),
  };
  return { docker } as unknown as DockerRuntime;
}

const store = (group: string, extra: Record<string, string> = {}) => ({
  name: 'shop-db',
  labels: {
    'safekeep.io/engine': 'postgres',
    'safekeep.io/target': 'shop-db',
    'safekeep.io/group': group,
    'safekeep.io/user': 'backup',
    ...extra,
  },
});
const app = (group: string, extra: Record<string, string> = {}) => ({
  name: 'shop-app',
  labels: { 'safekeep.io/group': group, ...extra },
});

describe('a labelled group’s mode (safekeep.io/group-mode)', () => {
  const config = testConfig('/tmp', {});

  it('is cut without the label, and stop-all when its containers say so', async () => {
    const plain = await discoverLabelledTargets(
      engineWith([store('shop'), app('shop')]),
      config,
    );
    expect(plain.groups.map(g => [g.name, g.mode])).toEqual([['shop', 'cut']]);

    const stopAll = await discoverLabelledTargets(
      engineWith([
        store('shop'),
        app('shop', { 'safekeep.io/group-mode': 'stop-all' }),
      ]),
      config,
    );
    expect(stopAll.problems).toEqual([]);
    expect(stopAll.groups.map(g => [g.name, g.mode])).toEqual([
      ['shop', 'stop-all'],
    ]);
    // Not read as a setting of the labelled target.
    expect(stopAll.targets[0].settings).not.toHaveProperty('groupMode');
  });

  it('refuses an unknown mode and two containers that disagree, naming the fix', async () => {
    const unknown = await discoverLabelledTargets(
      engineWith([
        store('shop'),
        app('shop', { 'safekeep.io/group-mode': 'pause' }),
      ]),
      config,
    );
    expect(unknown.groups).toEqual([]);
    expect(unknown.problems).toEqual([
      'group "shop": its containers\' safekeep.io/group-mode labels say "pause"; label them all with one of cut, stop-all (or none: cut)',
    ]);

    const disagree = await discoverLabelledTargets(
      engineWith([
        store('shop', { 'safekeep.io/group-mode': 'cut' }),
        app('shop', { 'safekeep.io/group-mode': 'stop-all' }),
      ]),
      config,
    );
    expect(disagree.groups).toEqual([]);
    expect(disagree.problems[0]).toContain('say "cut" and "stop-all"');
  });
});
