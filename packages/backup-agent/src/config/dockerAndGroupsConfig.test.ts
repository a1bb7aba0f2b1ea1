import { ConfigError } from './ConfigError';
import { parseConfig } from './loadConfig';
import { settingsFromLabels } from '../docker/labels';

const base = {
  agent: { name: 'host-1', token: { env: 'SAFEKEEP_TEST_TOKEN' } },
  storage: { local: { type: 'filesystem', path: './snapshots' } },
  targets: {
    db: { engine: 'postgres', container: 'stack-db-1', databases: ['app'] },
    files: { engine: 'volume', volume: 'stack_uploads' },
    graph: { engine: 'neo4j', container: 'stack-neo4j-1' },
  },
};

function problemsOf(input: Record<string, unknown>): string[] {
  try {
    parseConfig(input, { baseDir: '/etc/safekeep' });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('docker, container and groups config', () => {
  it('reads the docker section, container settings and groups', () => {
    const config = parseConfig(
      {
        ...base,
        docker: {
          host: 'docker.internal',
          tls: {
            ca: { file: 'tls/ca.pem' },
            cert: { file: 'tls/cert.pem' },
            key: { file: 'tls/key.pem' },
          },
          helperImage: 'busybox:1.36',
        },
        groups: {
          stack: {
            selector: { label: 'com.docker.compose.project=stack' },
            exclude: ['backup-', 'traefik'],
            targets: ['db', 'files', 'graph'],
          },
        },
      },
      { baseDir: '/etc/safekeep' },
    );
    expect(config.docker).toEqual({
      host: 'docker.internal',
      tls: {
        ca: { field: 'docker.tls.ca', file: '/etc/safekeep/tls/ca.pem' },
        cert: { field: 'docker.tls.cert', file: '/etc/safekeep/tls/cert.pem' },
        key: { field: 'docker.tls.key', file: '/etc/safekeep/tls/key.pem' },
      },
      helperImage: 'busybox:1.36',
      stopTimeoutSeconds: 30,
      discoverLabels: true,
    });
    expect(config.targets.db.settings).toMatchObject({
      container: { name: 'stack-db-1' },
      host: '127.0.0.1',
      port: 5432,
    });
    expect(config.groups.stack).toEqual({
      name: 'stack',
      source: 'config',
      selector: { label: 'com.docker.compose.project=stack' },
      exclude: ['backup-', 'traefik'],
      targets: ['db', 'files', 'graph'],
      // defaults: writers are stopped only for the cut; each member's readiness wait is bounded
      mode: 'cut',
      readyTimeoutSeconds: 60,
    });
  });

  it('says what is wrong with a group or a docker endpoint, and how to fix it', () => {
    expect(
      problemsOf({
        ...base,
        docker: {
          socketPath: '/var/run/docker.sock',
          host: 'x',
          discoverLabels: false,
        },
        groups: {
          both: {
            containers: ['a'],
            selector: { label: 'x=y' },
            targets: ['db'],
          },
          neither: { targets: ['db', 'db'] },
          typo: { containers: ['a'], targets: ['dbb'] },
        },
      }),
    ).toEqual([
      'docker.host: give either socketPath or host (TCP), not both',
      'groups.both.selector: give exactly one of containers (a list of names) or selector ({ label: key=value })',
      'groups.neither.containers: give exactly one of containers (a list of names) or selector ({ label: key=value })',
      'groups.neither.targets: lists a target twice; name each target once',
    ]);
    expect(
      problemsOf({
        ...base,
        groups: { typo: { containers: ['a'], targets: ['dbb'] } },
      }),
    ).toEqual([
      'groups.typo.targets.0: "dbb" is not a target; use one of db, files, graph',
    ]);
    expect(
      problemsOf({
        ...base,
        targets: { v: { engine: 'volume', volume: '/srv/data' } },
      }),
    ).toEqual([
      'targets.v.volume: must be a Docker volume name (letters, digits, "_", ".", "-"), not a path; back up host folders with the directory engine',
    ]);
    expect(
      problemsOf({
        ...base,
        targets: {
          r: {
            engine: 'redis',
            container: 'cache',
            restore: { mode: 'replace-file', rdbPath: '/x' },
          },
        },
      }),
    ).toEqual([
      "targets.r.restore.mode: replace-file swaps a file on the agent's host and cannot be combined with container: use mode replay",
    ]);
  });

  it('turns labels into settings, and refuses a label that would hold a secret without repeating it', () => {
    expect(
      settingsFromLabels({
        'safekeep.io/engine': 'postgres',
        'safekeep.io/database': 'app',
        'safekeep.io/port': '5433',
        'safekeep.io/maintenance-database': 'template1',
        'safekeep.io/globals': 'false',
        'safekeep.io/password-env': 'APP_DB_PASSWORD',
        'com.docker.compose.service': 'db',
      }),
    ).toEqual({
      fields: {
        databases: ['app'],
        port: 5433,
        maintenanceDatabase: 'template1',
        globals: false,
        password: { env: 'APP_DB_PASSWORD' },
      },
      problems: [],
    });
    const leaky = settingsFromLabels({ 'safekeep.io/password': 'hunter2' });
    expect(leaky.fields).toEqual({});
    expect(leaky.problems).toEqual([
      "label safekeep.io/password looks like it holds a secret, which labels must never do (anyone who can inspect the container reads them); put the secret in the agent's environment and name it with safekeep.io/password-env",
    ]);
    expect(JSON.stringify(leaky)).not.toContain('hunter2');
  });
});
