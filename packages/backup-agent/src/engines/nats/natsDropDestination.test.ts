import { connect, JetStreamManager, NatsConnection, StringCodec } from 'nats';
import { DropRefusedError, NotSupportedError } from '../../snapshots/errors';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { forwardPort } from '../../testing/forwardPort';
import { PrivateNatsServer } from '../../testing/PrivateNatsServer';
import { describeWithService } from '../../testing/services';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';
import { isStreamNotFound, listStreamNames } from './streamFacts';

jest.setTimeout(60_000);

const sc = StringCodec();

/** A stream with `count` messages on its own subjects. */
async function addStream(
  nc: NatsConnection,
  name: string,
  count: number,
): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`] });
  for (let i = 0; i < count; i++)
    await nc
      .jetstream()
      .publish(`${name.toLowerCase()}.m`, sc.encode(`message ${i}`));
}

async function messagesIn(
  jsm: JetStreamManager,
  name: string,
): Promise<number | 'absent'> {
  try {
    return (await jsm.streams.info(name)).state.messages;
  } catch (error) {
    if (isStreamNotFound(error)) return 'absent';
    throw error;
  }
}

/** Removing a drill's scratch streams: the machine's NATS is the target's own server, private nats-servers are scratch. */
describeWithService(
  'SAFEKEEP_TEST_NATS_URL',
  'nats engine: dropping a restore destination',
  url => {
    const tempDir = useTempDir();
    const run = `${Date.now().toString(36)}${Math.random()
      .toString(36)
      .slice(2, 6)}`;
    const orders = `SKD_ORDERS_${run}`;
    const audit = `SKD_AUDIT_${run}`;
    const bystander = `SKD_BYSTANDER_${run}`;
    const ownPort = Number(new URL(url).port || 4222);
    let nc: NatsConnection;
    let jsm: JetStreamManager;
    let scratch: PrivateNatsServer;
    let scratchNc: NatsConnection;
    let scratchJsm: JetStreamManager;

    const service = (targets: Record<string, Record<string, unknown>>) =>
      new SnapshotService(testConfig(tempDir(), targets));
    const listed = () =>
      service({
        bus: { engine: 'nats', servers: url, streams: [orders, audit] },
      });

    beforeAll(async () => {
      nc = await connect({ servers: url });
      jsm = await nc.jetstreamManager();
      await addStream(nc, orders, 5);
      await addStream(nc, audit, 2);
      scratch = await PrivateNatsServer.start();
      scratchNc = await scratch.connect();
      scratchJsm = await scratchNc.jetstreamManager();
    });

    afterAll(async () => {
      for (const name of await listStreamNames(jsm))
        if (name.includes(run)) await jsm.streams.delete(name);
      await nc.close();
      await scratchNc.close();
      await scratch.destroy();
    });

    it('deletes exactly the streams a restore created on a scratch server, and says so when they are gone', async () => {
      await addStream(scratchNc, bystander, 3);
      const svc = listed();
      const { snapshots } = await svc.backup('bus');
      const restored = await svc.restore('bus', snapshots[0].id, {
        destination: scratch.url,
      });
      expect(restored.differences).toEqual([]);
      expect([
        await messagesIn(scratchJsm, orders),
        await messagesIn(scratchJsm, audit),
      ]).toEqual([5, 2]);

      expect(await svc.dropDestination('bus', scratch.url)).toEqual({
        target: 'bus',
        destination: scratch.url,
        message: `deleted stream(s) ${orders}, ${audit} on NATS at ${scratch.url}`,
      });
      // Nothing else on the scratch server, and nothing on the target's own server, is touched.
      expect(
        (await listStreamNames(scratchJsm)).filter(name => name.includes(run)),
      ).toEqual([bystander]);
      expect(await messagesIn(scratchJsm, bystander)).toBe(3);
      expect([
        await messagesIn(jsm, orders),
        await messagesIn(jsm, audit),
      ]).toEqual([5, 2]);

      expect((await svc.dropDestination('bus', scratch.url)).message).toBe(
        `stream(s) ${orders}, ${audit} do not exist on NATS at ${scratch.url}; nothing to drop`,
      );
      await addStream(scratchNc, audit, 1);
      expect((await svc.dropDestination('bus', scratch.url)).message).toBe(
        `deleted stream(s) ${audit} on NATS at ${scratch.url}; ${orders} did not exist there`,
      );
    });

    it("refuses the target's own server however it is written, also through a forwarded port, and keeps its streams", async () => {
      const svc = listed();
      for (const spelling of [
        `nats://127.0.0.1:${ownPort}`,
        `nats://localhost:${ownPort}`,
        `nats://[::1]:${ownPort}`,
        `${scratch.url}, nats://localhost:${ownPort}`,
      ]) {
        const refused = svc.dropDestination('bus', spelling);
        await expect(refused).rejects.toThrow(DropRefusedError);
        await expect(refused).rejects.toThrow(
          `refusing to delete streams on NATS at ${spelling}: it is the target's own server (${url}); only a restore destination elsewhere can be dropped`,
        );
      }
      const forwarded = await forwardPort(ownPort);
      try {
        const viaForward = svc.dropDestination(
          'bus',
          `nats://127.0.0.1:${forwarded.port}`,
        );
        await expect(viaForward).rejects.toThrow(DropRefusedError);
        await expect(viaForward).rejects.toThrow(
          `refusing to delete streams on NATS at nats://127.0.0.1:${forwarded.port}: it is the target's own server (${url} answers with the same server_id); only a restore destination elsewhere can be dropped`,
        );
      } finally {
        await forwarded.close();
      }
      expect([
        await messagesIn(jsm, orders),
        await messagesIn(jsm, audit),
      ]).toEqual([5, 2]);
    });

    it("refuses another node of the target's cluster: the streams there are the target's own", async () => {
      const [node0, node1] = await PrivateNatsServer.startCluster();
      const clusterNc = await node0.connect();
      try {
        await addStream(clusterNc, orders, 4);
        const svc = service({
          bus: { engine: 'nats', servers: node0.url, streams: [orders] },
        });
        const refused = svc.dropDestination('bus', node1.url);
        await expect(refused).rejects.toThrow(DropRefusedError);
        await expect(refused).rejects.toThrow(
          new RegExp(
            `^refusing to delete streams on NATS at ${node1.url}: stream ${orders} there is the target's own stream \\(${node0.url} has it with the same creation time, \\S+: a server that shares its JetStream, such as another node of its cluster\\); only a restore destination elsewhere can be dropped$`,
          ),
        );
        expect(
          await messagesIn(await clusterNc.jetstreamManager(), orders),
        ).toBe(4);
      } finally {
        await clusterNc.close();
        await node1.destroy();
        await node0.destroy();
      }
    });

    it("refuses while the target's own server does not answer, deleting nothing", async () => {
      await addStream(scratchNc, orders, 1);
      const gone = await PrivateNatsServer.start();
      await gone.destroy();
      const svc = service({
        bus: { engine: 'nats', servers: gone.url, streams: [orders] },
      });
      const refused = svc.dropDestination('bus', scratch.url);
      await expect(refused).rejects.toThrow(DropRefusedError);
      await expect(refused).rejects.toThrow(
        `refusing to delete streams on NATS at ${scratch.url}: the target's own server does not answer`,
      );
      expect(await messagesIn(scratchJsm, orders)).toBe(1);
      await scratchJsm.streams.delete(orders);
    });

    it('answers "not supported" for a target that backs up every stream: which streams a restore created is not known', async () => {
      await addStream(scratchNc, orders, 1);
      const svc = service({ everything: { engine: 'nats', servers: url } });
      const refused = svc.dropDestination('everything', scratch.url);
      await expect(refused).rejects.toThrow(NotSupportedError);
      await expect(refused).rejects.toThrow(
        `the target backs up every stream, so which streams a restore created on NATS at ${scratch.url} is not known and none is deleted; list them in targets.everything.streams, or delete them by hand (nats --server ${scratch.url} stream rm NAME)`,
      );
      expect(await messagesIn(scratchJsm, orders)).toBe(1);
      await scratchJsm.streams.delete(orders);
    });
  },
);
