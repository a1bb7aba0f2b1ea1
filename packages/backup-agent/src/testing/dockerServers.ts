import type Docker from 'dockerode';
import { sparePort } from '../engines/redis/sparePort';
import {
  DB_IMAGE,
  eventually,
  execIn,
  startTestContainer,
} from './dockerHarness';

/**
 * Database servers in containers from safekeep-test/db:1 for the Docker tests, each on a spare
 * port of the host network (the machine's own servers use 5432/3306/6379). Passwords reach
 * them as files put in before start, so no secret is in any container's config.
 */
export interface ServerContainer {
  name: string;
  port: number;
}

const PG_BIN = '/usr/lib/postgresql/15/bin';

export async function startPostgresContainer(
  docker: Docker,
  name: string,
  password: string,
  labels: Record<string, string> = {},
): Promise<ServerContainer> {
  const port = await sparePort();
  // Restartable (docker stop/start): initdb only on the first start; postgres is PID 1, so
  // docker stop shuts it down cleanly.
  const script = [
    'set -e',
    'mkdir -p /var/lib/pgtest && chown postgres /var/lib/pgtest && chown postgres /tmp/pwfile',
    `[ -f /var/lib/pgtest/data/PG_VERSION ] || setpriv --reuid=postgres --regid=postgres --init-groups ${PG_BIN}/initdb -D /var/lib/pgtest/data -U postgres --auth=scram-sha-256 --pwfile=/tmp/pwfile >/dev/null`,
    `exec setpriv --reuid=postgres --regid=postgres --init-groups ${PG_BIN}/postgres -D /var/lib/pgtest/data -p ${port} -k /tmp -c listen_addresses=127.0.0.1`,
  ].join('\n');
  await startTestContainer(docker, {
    name,
    image: DB_IMAGE,
    cmd: ['sh', '-c', script],
    network: 'host',
    labels,
    files: [
      { dir: '/tmp', name: 'pwfile', content: `${password}\n`, mode: 0o600 },
    ],
  });
  await eventually(
    () =>
      execIn(docker, name, [
        'pg_isready',
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
      ]),
    `PostgreSQL in ${name}`,
  );
  return { name, port };
}

export async function startMariadbContainer(
  docker: Docker,
  name: string,
  user: string,
  password: string,
): Promise<ServerContainer> {
  const port = await sparePort();
  const init = ['localhost', '127.0.0.1']
    // An init-file takes one statement per line.
    .flatMap(host => [
      `CREATE USER IF NOT EXISTS '${user}'@'${host}' IDENTIFIED BY '${password}';`,
      `GRANT ALL ON *.* TO '${user}'@'${host}';`,
    ])
    .join('\n');
  const script = [
    'set -e',
    '[ -d /var/lib/mysqltest/mysql ] || mariadb-install-db --user=mysql --datadir=/var/lib/mysqltest --skip-test-db >/dev/null',
    // The grant comes from a file put in before start (init-file runs it as the server starts).
    `exec mariadbd --user=mysql --datadir=/var/lib/mysqltest --port=${port} --bind-address=127.0.0.1 --socket=/tmp/mysqld.sock --pid-file=/tmp/mysqld.pid --skip-log-bin --init-file=/tmp/init.sql`,
  ].join('\n');
  await startTestContainer(docker, {
    name,
    image: DB_IMAGE,
    cmd: ['sh', '-c', script],
    network: 'host',
    files: [
      { dir: '/tmp', name: 'init.sql', content: `${init}\n`, mode: 0o644 },
    ],
  });
  await eventually(
    () =>
      execIn(docker, name, [
        'mariadb-admin',
        '--socket=/tmp/mysqld.sock',
        'ping',
      ]),
    `MariaDB in ${name}`,
    60_000,
  );
  return { name, port };
}

export async function startRedisContainer(
  docker: Docker,
  name: string,
  password: string,
  labels: (port: number) => Record<string, string> = () => ({}),
): Promise<ServerContainer> {
  const port = await sparePort();
  // A save point, so docker stop (SIGTERM) writes the RDB and a restart keeps the data.
  const conf = [
    `port ${port}`,
    'bind 127.0.0.1',
    'dir /tmp',
    'save 3600 1',
    'appendonly no',
    `requirepass "${password}"`,
  ].join('\n');
  await startTestContainer(docker, {
    name,
    image: DB_IMAGE,
    cmd: ['redis-server', '/etc/safekeep-test-redis.conf'],
    network: 'host',
    labels: labels(port),
    files: [
      {
        dir: '/etc',
        name: 'safekeep-test-redis.conf',
        content: `${conf}\n`,
        mode: 0o644,
      },
    ],
  });
  await eventually(
    () =>
      execIn(docker, name, [
        'sh',
        '-c',
        `REDISCLI_AUTH="$(sed -n 's/^requirepass "\\(.*\\)"/\\1/p' /etc/safekeep-test-redis.conf)" redis-cli -p ${port} ping`,
      ]),
    `Redis in ${name}`,
  );
  return { name, port };
}
