import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import Redis from 'ioredis';
import { createConfigContext } from '../../config/ConfigContext';
import { LocalProcessRunner } from '../../exec/LocalProcessRunner';
import { RecordingRunner } from '../../exec/RecordingRunner';
import {
  backupToMemory,
  brokenArtifact,
  restoreArtifacts,
  testEngineContext,
  TestEngineContext,
} from '../../testing/engineHarness';
import { describeWithService } from '../../testing/services';
import { DropRefusedError } from '../../snapshots/errors';
import { createRedisDriver } from './RedisDriver';
import { RedisSettings, redisSettingsSchema } from './redisSettings';
import { PrivateRedisServer } from '../../testing/PrivateRedisServer';
import { forwardPort } from '../../testing/forwardPort';

jest.setTimeout(60_000);

const PASSWORD_ENV = 'SAFEKEEP_TEST_REDIS_PASSWORD';

function settingsFor(fields: Record<string, unknown>): RedisSettings {
  return redisSettingsSchema(createConfigContext('/')).parse(fields);
}

/** Keys of every type, one with a TTL, and one in db 3. */
async function fill(
  connect: (db: number) => Promise<Redis>,
  prefix: string,
): Promise<void> {
  const db0 = await connect(0);
  await db0
    .multi()
    .set(`${prefix}:str`, Buffer.from([0, 255, 1, 254]))
    .hset(`${prefix}:hash`, { a: '1', b: 'two' })
    .rpush(`${prefix}:list`, 'x', 'y', 'z')
    .sadd(`${prefix}:set`, 'm1', 'm2')
    .zadd(`${prefix}:zset`, 1, 'a', 2.5, 'b')
    .set(`${prefix}:ttl`, 'expiring', 'PX', 3_600_000)
    .xadd(`${prefix}:stream`, '1-1', 'field', 'value')
    .exec();
  db0.disconnect();
  const db3 = await connect(3);
  await db3.set(`${prefix}:db3`, 'three');
  db3.disconnect();
}

/** What a user would read back, key by key, in db 0 and db 3. */
async function contentOf(
  connect: (db: number) => Promise<Redis>,
  prefix: string,
): Promise<Record<string, unknown>> {
  const content: Record<string, unknown> = {};
  for (const db of [0, 3]) {
    const client = await connect(db);
    const keys = (await client.keys(`${prefix}:*`)).sort();
    for (const key of keys) {
      const type = await client.type(key);
      const readers: Record<string, () => Promise<unknown>> = {
        string: async () => (await client.getBuffer(key))!.toString('hex'),
        hash: () => client.hgetall(key),
        list: () => client.lrange(key, 0, -1),
        set: async () => (await client.smembers(key)).sort(),
        zset: () => client.zrange(key, 0, -1, 'WITHSCORES'),
        stream: () => client.xrange(key, '-', '+'),
      };
      const value = await readers[type]();
      content[`db${db}/${key}`] = {
        type,
        value,
        ttl: (await client.pttl(key)) > 0,
      };
    }
    client.disconnect();
  }
  return content;
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => new Error('expected a refusal'),
    (error: Error) => error,
  );
}

describeWithService(
  'SAFEKEEP_TEST_REDIS_URL',
  'redis driver (real servers)',
  rawUrl => {
    const url = new URL(rawUrl);
    const machine = { host: url.hostname, port: Number(url.port || 6379) };
    let prefix = '';
    let context: TestEngineContext;
    let server: PrivateRedisServer;

    beforeEach(async () => {
      prefix = `safekeep_test_${randomBytes(4).toString('hex')}`;
      context = testEngineContext();
      server = await PrivateRedisServer.start();
      process.env[PASSWORD_ENV] = server.password;
    });

    afterEach(async () => {
      context.cleanup();
      await server.destroy();
      delete process.env[PASSWORD_ENV];
    });

    const privateSettings = (fields: Record<string, unknown> = {}) =>
      settingsFor({
        host: '127.0.0.1',
        port: server.port,
        password: { env: PASSWORD_ENV },
        ...fields,
      });

    it("round-trips the machine's Redis over the wire, replaying keys into the running server", async () => {
      const connectMachine = async (db: number) => {
        const client = new Redis({ ...machine, db, lazyConnect: true });
        await client.connect();
        return client;
      };
      try {
        await fill(connectMachine, prefix);
        const original = await contentOf(connectMachine, prefix);
        const runner = new RecordingRunner(new LocalProcessRunner());
        const driver = createRedisDriver({ runner, localRunner: runner });
        // flush: false: other data on the shared server must survive this test.
        const settings = settingsFor({
          ...machine,
          restore: { mode: 'replay', flush: false },
        });

        const backup = await backupToMemory(driver, settings, context);
        expect(backup.artifacts.map(a => a.name)).toEqual(['dump.rdb']);
        expect(backup.artifacts[0].data.subarray(0, 5).toString()).toBe(
          'REDIS',
        );
        expect(backup.details).toMatchObject({
          keysCountedFrom: 'the RDB file',
          serverVersion: expect.stringMatching(/^\d+\./),
        });
        expect(backup.details.keys).toBeGreaterThanOrEqual(8);
        expect(
          (backup.details.databases as Record<string, { keys: number }>).db3
            .keys,
        ).toBeGreaterThanOrEqual(1);

        const db0 = await connectMachine(0);
        await db0.set(`${prefix}:str`, 'changed');
        await db0.del(`${prefix}:hash`, `${prefix}:ttl`);
        await db0.set(`${prefix}:later`, 'added after the backup');
        db0.disconnect();
        expect(
          await driver.inspectDestination(settings, context),
        ).toMatchObject({
          empty: false,
          summary: expect.stringMatching(/holds \d+ key\(s\)/),
        });

        await driver.restore(
          settings,
          restoreArtifacts(backup.artifacts),
          context,
        );
        const restored = await contentOf(connectMachine, prefix);
        const { [`db0/${prefix}:later`]: later, ...rest } = restored;
        expect(rest).toEqual(original);
        // Merge mode leaves keys the snapshot does not have.
        expect(later).toEqual({
          type: 'string',
          value: Buffer.from('added after the backup').toString('hex'),
          ttl: false,
        });
        expect(runner.commands.map(c => c.command)).toEqual([
          'redis-cli',
          'redis-check-rdb',
          'redis-check-rdb',
          'redis-server',
        ]);
        expect(fs.readdirSync(context.stagingDir)).toEqual([]);
      } finally {
        for (const db of [0, 3]) {
          const client = await connectMachine(db);
          const keys = await client.keys(`${prefix}:*`);
          if (keys.length) await client.del(...keys);
          client.disconnect();
        }
      }
    });

    it("backs up the server's RDB file after BGSAVE and restores by replacing it (stop, swap, start)", async () => {
      await fill(server.connect, prefix);
      const original = await contentOf(server.connect, prefix);
      const runner = new RecordingRunner(new LocalProcessRunner());
      const driver = createRedisDriver({ runner, localRunner: runner });
      const settings = privateSettings({
        rdbPath: server.rdbPath,
        restore: {
          mode: 'replace-file',
          stopCommand: server.stopCommand,
          startCommand: server.startCommand,
        },
      });

      const backup = await backupToMemory(driver, settings, context);
      expect(backup.details).toEqual({
        serverVersion: expect.any(String),
        keys: 8,
        keysWithTtl: 1,
        keysCountedFrom: 'the RDB file',
        databases: { db0: { keys: 7 }, db3: { keys: 1 } },
      });

      const db0 = await server.connect(0);
      await db0.set(`${prefix}:str`, 'changed');
      await db0.del(`${prefix}:list`);
      await db0.set(`${prefix}:later`, 'added after the backup');
      db0.disconnect();
      expect(await driver.inspectDestination(settings, context)).toEqual({
        empty: false,
        summary: `Redis at 127.0.0.1:${server.port} holds 8 key(s) (db0: 7, db3: 1)`,
      });

      await driver.restore(
        settings,
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(await contentOf(server.connect, prefix)).toEqual(original);
      expect(
        driver.compareDetails!(
          backup.details,
          await driver.check(settings, context),
        ),
      ).toEqual([]);
      expect(context.logs).toEqual(
        expect.arrayContaining([
          `stopped Redis at 127.0.0.1:${server.port}`,
          `replaced ${server.rdbPath} (the previous file is kept as ${server.rdbPath}.before-restore)`,
          `started Redis at 127.0.0.1:${server.port} on the restored RDB`,
        ]),
      );

      // The password reached redis-cli (the stop command) only through REDISCLI_AUTH.
      expect(runner.commands.map(c => c.command)).toEqual([
        'redis-check-rdb',
        'redis-check-rdb',
        'redis-cli',
        'redis-server',
      ]);
      for (const command of runner.commands)
        expect(command.args.join(' ')).not.toContain(server.password);
      expect(runner.commands[2].env).toEqual({
        REDISCLI_AUTH: server.password,
      });
      expect(
        fs.readdirSync(server.dir).filter(name => name.includes('safekeep')),
      ).toEqual([]);
    });

    it('fetches over the wire with the password in REDISCLI_AUTH, and a replay with flush makes the server equal to the snapshot', async () => {
      await fill(server.connect, prefix);
      const original = await contentOf(server.connect, prefix);
      const runner = new RecordingRunner(new LocalProcessRunner());
      const driver = createRedisDriver({ runner, localRunner: runner });
      const settings = privateSettings();

      const backup = await backupToMemory(driver, settings, context);
      const fetch = runner.commands[0];
      expect(fetch.command).toBe('redis-cli');
      expect(fetch.args).toEqual([
        '-h',
        '127.0.0.1',
        '-p',
        String(server.port),
        '--rdb',
        expect.stringMatching(new RegExp(`^${context.stagingDir}/`)),
      ]);
      expect(fetch.env).toEqual({ REDISCLI_AUTH: server.password });

      const db3 = await server.connect(3);
      await db3.flushdb();
      await db3.set(`${prefix}:later`, 'added after the backup');
      db3.disconnect();

      await driver.restore(
        settings,
        restoreArtifacts(backup.artifacts),
        context,
      );
      expect(await contentOf(server.connect, prefix)).toEqual(original);
      expect(
        driver.compareDetails!(
          backup.details,
          await driver.check(settings, context),
        ),
      ).toEqual([]);
      expect(context.logs).toContain(
        `emptied Redis at 127.0.0.1:${server.port} (FLUSHALL) before loading the snapshot`,
      );
      for (const command of runner.commands)
        expect(JSON.stringify(command.args)).not.toContain(server.password);
    });

    it("fetches over the wire without waiting out repl-diskless-sync-delay, and puts the server's value back", async () => {
      await fill(server.connect, prefix);
      const admin = await server.connect(0);
      try {
        await admin.config('SET', 'repl-diskless-sync-delay', '7');
        const runner = new RecordingRunner(new LocalProcessRunner());
        const driver = createRedisDriver({ runner, localRunner: runner });
        await backupToMemory(driver, privateSettings(), context);
        expect(context.logs).toEqual(
          expect.arrayContaining([
            'repl-diskless-sync-delay 7 -> 0 for the RDB fetch',
            'repl-diskless-sync-delay set back to 7',
          ]),
        );
        expect(await admin.config('GET', 'repl-diskless-sync-delay')).toEqual([
          'repl-diskless-sync-delay',
          '7',
        ]);

        // A user without CONFIG still gets its backup; the fetch waits the delay out.
        await admin.config('SET', 'repl-diskless-sync-delay', '1');
        await admin.acl(
          'SETUSER',
          'no-config',
          'on',
          `>${server.password}`,
          '~*',
          '&*',
          '+@all',
          '-config',
        );
        const limited = await backupToMemory(
          driver,
          privateSettings({ user: 'no-config' }),
          context,
        );
        expect(limited.artifacts.length).toBe(1);
        expect(
          context.logs.some(line =>
            line.startsWith('cannot set repl-diskless-sync-delay to 0'),
          ),
        ).toBe(true);
        expect(await admin.config('GET', 'repl-diskless-sync-delay')).toEqual([
          'repl-diskless-sync-delay',
          '1',
        ]);
      } finally {
        admin.disconnect();
      }
    });

    it('restores into another server (destination host:port) by replaying', async () => {
      await fill(server.connect, prefix);
      const original = await contentOf(server.connect, prefix);
      const driver = createRedisDriver({
        runner: new LocalProcessRunner(),
        localRunner: new LocalProcessRunner(),
      });
      const backup = await backupToMemory(
        driver,
        privateSettings({ rdbPath: server.rdbPath }),
        context,
      );
      // Same password, so the target's password reference fits both servers.
      const other = await PrivateRedisServer.start(server.password);
      try {
        const otherSettings = driver.withDestination(
          privateSettings(),
          `127.0.0.1:${other.port}`,
          createConfigContext('/'),
        );
        expect(otherSettings.restore).toEqual({ mode: 'replay', flush: true });
        expect(await driver.inspectDestination(otherSettings, context)).toEqual(
          {
            empty: true,
            summary: `Redis at 127.0.0.1:${other.port} holds no keys`,
          },
        );
        await driver.restore(
          otherSettings,
          restoreArtifacts(backup.artifacts),
          context,
        );
        expect(await contentOf(other.connect, prefix)).toEqual(original);
        expect(
          driver.compareDetails!(
            backup.details,
            await driver.check(otherSettings, context),
          ),
        ).toEqual([]);
      } finally {
        await other.destroy();
      }
    });

    it("empties the scratch server a restore replayed into, and refuses the target's own server however it is addressed", async () => {
      await fill(server.connect, prefix);
      const original = await contentOf(server.connect, prefix);
      const driver = createRedisDriver({
        runner: new LocalProcessRunner(),
        localRunner: new LocalProcessRunner(),
      });
      const own = privateSettings();
      const backup = await backupToMemory(driver, own, context);
      const scratch = await PrivateRedisServer.start(server.password);
      const forwarded = await forwardPort(server.port);
      const drop = (destination: string) =>
        driver.dropDestination!(
          driver.withDestination(own, destination, createConfigContext('/')),
          own,
          context,
        );
      try {
        const destination = driver.withDestination(
          own,
          `127.0.0.1:${scratch.port}`,
          createConfigContext('/'),
        );
        await driver.restore(
          destination,
          restoreArtifacts(backup.artifacts),
          context,
        );
        expect(await contentOf(scratch.connect, prefix)).toEqual(original);

        expect(await drop(`127.0.0.1:${scratch.port}`)).toBe(
          `emptied scratch Redis at 127.0.0.1:${scratch.port} (8 keys removed)`,
        );
        expect(await driver.inspectDestination(destination, context)).toEqual({
          empty: true,
          summary: `Redis at 127.0.0.1:${scratch.port} holds no keys`,
        });
        expect(await drop(`localhost:${scratch.port}`)).toBe(
          `emptied scratch Redis at localhost:${scratch.port} (0 keys removed)`,
        );

        for (const spelling of [
          `127.0.0.1:${server.port}`,
          `localhost:${server.port}`,
          `[::1]:${server.port}`,
        ]) {
          const refusal = await rejectionOf(drop(spelling));
          expect(refusal).toBeInstanceOf(DropRefusedError);
          expect(refusal.message).toBe(
            `refusing to empty Redis at ${spelling}: it is the target's own server (127.0.0.1:${server.port}); only a restore destination elsewhere can be dropped`,
          );
        }
        // Another port that reaches the same server (a forward, a published container port).
        const viaForward = await rejectionOf(
          drop(`127.0.0.1:${forwarded.port}`),
        );
        expect(viaForward).toBeInstanceOf(DropRefusedError);
        expect(viaForward.message).toBe(
          `refusing to empty Redis at 127.0.0.1:${forwarded.port}: it is the target's own server (127.0.0.1:${server.port} answers with the same run_id); only a restore destination elsewhere can be dropped`,
        );
        expect(await contentOf(server.connect, prefix)).toEqual(original);
      } finally {
        await forwarded.close();
        await scratch.destroy();
      }
    });

    it("refuses to empty the machine's shared Redis when it is the target's own server, and its keys survive", async () => {
      const client = new Redis({ ...machine, lazyConnect: true });
      await client.connect();
      try {
        await client.set(`${prefix}:kept`, 'still here');
        const driver = createRedisDriver({
          runner: new LocalProcessRunner(),
          localRunner: new LocalProcessRunner(),
        });
        const own = settingsFor({ ...machine });
        const refusal = await rejectionOf(
          driver.dropDestination!(
            driver.withDestination(
              own,
              `localhost:${machine.port}`,
              createConfigContext('/'),
            ),
            own,
            context,
          ),
        );
        expect(refusal).toBeInstanceOf(DropRefusedError);
        expect(refusal.message).toContain(
          `it is the target's own server (${machine.host}:${machine.port})`,
        );
        expect(await client.get(`${prefix}:kept`)).toBe('still here');
      } finally {
        await client.del(`${prefix}:kept`);
        client.disconnect();
      }
    });

    it('rejects a wrong password with a message that does not contain it', async () => {
      const driver = createRedisDriver({
        runner: new LocalProcessRunner(),
        localRunner: new LocalProcessRunner(),
      });
      const wrong = `${server.password}-wrong`;
      process.env[PASSWORD_ENV] = wrong;
      const error = await driver.backup(privateSettings(), context).then(
        () => new Error('expected a failure'),
        (e: Error) => e,
      );
      expect(error.message).toMatch(
        new RegExp(
          `^cannot connect to Redis at 127\\.0\\.0\\.1:${server.port}: WRONGPASS`,
        ),
      );
      expect(error.message).not.toContain(wrong);
    });

    it('waits for a BGSAVE already running, and times out with a clear message', async () => {
      await fill(server.connect, prefix);
      const admin = await server.connect(0);
      // Slow saves down (a Redis debugging setting): 8 keys take about 2.4 s.
      await admin.config('SET', 'rdb-key-save-delay', '300000');
      try {
        const driver = createRedisDriver({
          runner: new LocalProcessRunner(),
          localRunner: new LocalProcessRunner(),
        });
        await admin.bgsave();
        const backup = await backupToMemory(
          driver,
          privateSettings({ rdbPath: server.rdbPath }),
          context,
        );
        expect(backup.details.keys).toBe(8);
        expect(context.logs).toContain(
          `a background save was already running on Redis at 127.0.0.1:${server.port}; waiting for it, then saving again so the snapshot is not older than this backup`,
        );

        await expect(
          backupToMemory(
            driver,
            privateSettings({ rdbPath: server.rdbPath, saveTimeoutSeconds: 1 }),
            context,
          ),
        ).rejects.toThrow(
          `BGSAVE on Redis at 127.0.0.1:${server.port} did not finish within 1 s; raise saveTimeoutSeconds for a large dataset, or check the server's log`,
        );
      } finally {
        await admin.config('SET', 'rdb-key-save-delay', '0');
        admin.disconnect();
      }
    });

    it('leaves the server and its file alone when the snapshot stream fails, is damaged, or the server cannot be stopped', async () => {
      await fill(server.connect, prefix);
      const driver = createRedisDriver({
        runner: new LocalProcessRunner(),
        localRunner: new LocalProcessRunner(),
      });
      const replace = {
        mode: 'replace-file',
        stopCommand: server.stopCommand,
        startCommand: server.startCommand,
      };
      const settings = privateSettings({
        rdbPath: server.rdbPath,
        restore: replace,
      });
      const backup = await backupToMemory(driver, settings, context);
      const db0 = await server.connect(0);
      await db0.set(`${prefix}:str`, 'kept');
      db0.disconnect();
      const before = await contentOf(server.connect, prefix);
      const fileBefore = fs.readFileSync(server.rdbPath);

      await expect(
        driver.restore(
          settings,
          [brokenArtifact(backup.artifacts[0])],
          context,
        ),
      ).rejects.toThrow('dump.rdb: stored data does not match the manifest');

      const damaged = Buffer.from(backup.artifacts[0].data);
      damaged[damaged.length - 12] ^= 0xff;
      await expect(
        driver.restore(
          settings,
          restoreArtifacts([{ ...backup.artifacts[0], data: damaged }]),
          context,
        ),
      ).rejects.toThrow(
        /^the snapshot's dump\.rdb is damaged according to redis-check-rdb: /,
      );

      const noStop = privateSettings({
        rdbPath: server.rdbPath,
        restore: { mode: 'replace-file' },
      });
      await expect(
        driver.restore(noStop, restoreArtifacts(backup.artifacts), context),
      ).rejects.toThrow(
        `Redis at 127.0.0.1:${server.port} is running: its RDB file can only be replaced while it is stopped; set restore.stopCommand`,
      );

      expect(await contentOf(server.connect, prefix)).toEqual(before);
      expect(fs.readFileSync(server.rdbPath)).toEqual(fileBefore);
      expect(
        fs.readdirSync(server.dir).filter(name => name.includes('safekeep')),
      ).toEqual([]);
    });
  },
);
