import type Docker from 'dockerode';
import {
  BUSYBOX_IMAGE,
  DB_IMAGE,
  eventually,
  execIn,
  runOnce,
  startTestContainer,
} from './dockerHarness';
import {
  ServerContainer,
  startMariadbContainer,
  startPostgresContainer,
  startRedisContainer,
} from './dockerServers';

/** The MariaDB user the writer and the agent log in as. */
const MARIADB_USER = 'counter';

/**
 * The stack of the consistency proof: Postgres, MariaDB, Redis, a volume, and an application
 * container (the writer) that counts in one loop: the same number into a Postgres row, a
 * MariaDB row, a Redis key and a marker file on the volume. It finishes the iteration it is in when stopped (as a real
 * application drains its requests), so stores cut while it is stopped hold the same number.
 */
export interface CounterStack {
  pg: ServerContainer;
  maria: ServerContainer;
  cache: ServerContainer;
  writer: string;
  volume: string;
  /** Agent targets for the four stores, their tools in the servers' containers. */
  targets(passwordEnv: string): Record<string, Record<string, unknown>>;
  /** The counter as each store holds it now. */
  read(): Promise<Counters>;
  /** Waits until the writer has counted past `n`. */
  countedPast(n: number): Promise<void>;
}

export interface Counters {
  postgres: number;
  mariadb: number;
  redis: number;
  marker: number;
}

export async function startCounterStack(
  docker: Docker,
  prefix: string,
  password: string,
): Promise<CounterStack> {
  const volume = `${prefix}-files`;
  const writer = `${prefix}-app`;
  await docker.createVolume({ Name: volume });
  await runOnce(
    docker,
    BUSYBOX_IMAGE,
    ['sh', '-c', 'echo 0 > /d/marker'],
    [{ volume, path: '/d' }],
  );
  const [pg, maria, cache] = await Promise.all([
    startPostgresContainer(docker, `${prefix}-pg`, password),
    startMariadbContainer(docker, `${prefix}-maria`, MARIADB_USER, password),
    startRedisContainer(docker, `${prefix}-cache`, password),
  ]);
  const mysql = (sql: string) =>
    `mariadb --defaults-extra-file=/tmp/app-my.cnf -h 127.0.0.1 -P ${maria.port} -N -e "${sql}"`;
  const myCnf = `[client]\nuser=${MARIADB_USER}\npassword=${password}\n`;
  await execIn(docker, maria.name, [
    'sh',
    '-c',
    `printf '${myCnf}' > /tmp/app-my.cnf && ${mysql(
      'CREATE DATABASE app; CREATE TABLE app.counter (n INT) ENGINE=InnoDB; INSERT INTO app.counter VALUES (0)',
    )}`,
  ]);
  await execIn(docker, pg.name, [
    'sh',
    '-c',
    `PGPASSWORD="$(cat /tmp/pwfile)" psql -h 127.0.0.1 -p ${pg.port} -U postgres -qc "CREATE DATABASE app" && PGPASSWORD="$(cat /tmp/pwfile)" psql -h 127.0.0.1 -p ${pg.port} -U postgres -d app -qc "CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)"`,
  ]);
  const loop = [
    "trap 'stop=1' TERM INT",
    'export PGPASSFILE=/tmp/app-pgpass REDISCLI_AUTH="$(cat /tmp/app-redis)"',
    'i=$(cat /data/marker)',
    'while [ -z "$stop" ]; do',
    '  i=$((i+1))',
    `  until psql -h 127.0.0.1 -p ${pg.port} -U postgres -d app -qc "UPDATE counter SET n = $i" >/dev/null 2>&1; do [ -n "$stop" ] && exit 0; sleep 0.1; done`,
    `  until ${mysql(
      'UPDATE app.counter SET n = $i',
    )} >/dev/null 2>&1; do [ -n "$stop" ] && exit 1; sleep 0.1; done`,
    `  until redis-cli -p ${cache.port} SET counter $i >/dev/null 2>&1; do [ -n "$stop" ] && exit 1; sleep 0.1; done`,
    '  echo $i > /data/marker',
    'done',
  ].join('\n');
  await startTestContainer(docker, {
    name: writer,
    image: DB_IMAGE,
    cmd: ['sh', '-c', loop],
    network: 'host',
    volumes: [{ volume, path: '/data' }],
    files: [
      {
        dir: '/tmp',
        name: 'app-pgpass',
        content: `*:*:*:*:${password}\n`,
        mode: 0o600,
      },
      { dir: '/tmp', name: 'app-redis', content: password, mode: 0o600 },
      {
        dir: '/tmp',
        name: 'app-my.cnf',
        content: myCnf,
        mode: 0o600,
      },
    ],
  });

  const readOnce = async () => {
    const [postgres, mariadb, redis, marker] = await Promise.all([
      execIn(docker, pg.name, [
        'sh',
        '-c',
        `PGPASSWORD="$(cat /tmp/pwfile)" psql -h 127.0.0.1 -p ${pg.port} -U postgres -d app -qAtc "SELECT n FROM counter"`,
      ]),
      execIn(docker, maria.name, [
        'sh',
        '-c',
        mysql('SELECT n FROM app.counter'),
      ]),
      execIn(docker, cache.name, [
        'sh',
        '-c',
        `REDISCLI_AUTH="$(sed -n 's/^requirepass "\\(.*\\)"/\\1/p' /etc/safekeep-test-redis.conf)" redis-cli -p ${cache.port} GET counter`,
      ]),
      runOnce(
        docker,
        BUSYBOX_IMAGE,
        ['cat', '/d/marker'],
        [{ volume, path: '/d' }],
      ),
    ]);
    return {
      postgres: Number(postgres.trim()),
      mariadb: Number(mariadb.trim()),
      redis: Number(redis.trim()),
      marker: Number(marker.trim()),
    };
  };

  const stack: CounterStack = {
    pg,
    maria,
    cache,
    writer,
    volume,
    targets: passwordEnv => ({
      db: {
        engine: 'postgres',
        port: pg.port,
        password: { env: passwordEnv },
        databases: ['app'],
        globals: false,
        container: pg.name,
      },
      ledger: {
        engine: 'mariadb',
        port: maria.port,
        user: MARIADB_USER,
        password: { env: passwordEnv },
        databases: ['app'],
        container: maria.name,
      },
      cache: {
        engine: 'redis',
        port: cache.port,
        password: { env: passwordEnv },
        container: cache.name,
      },
      files: { engine: 'volume', volume },
    }),
    async read() {
      // Right after a restore the servers may still be starting: read once they answer.
      let counters: Counters = {
        postgres: NaN,
        mariadb: NaN,
        redis: NaN,
        marker: NaN,
      };
      await eventually(async () => {
        counters = await readOnce();
        return true;
      }, 'reading the counters');
      return counters;
    },
    countedPast: n =>
      eventually(
        async () => (await stack.read()).marker > n,
        `the writer counting past ${n}`,
      ),
  };
  return stack;
}
