import { Readable } from 'node:stream';
import {
  connect,
  headers,
  JetStreamManager,
  NatsConnection,
  StringCodec,
} from 'nats';
import { SnapshotService } from '../../snapshots/SnapshotService';
import { RestoreRefusedError } from '../../snapshots/errors';
import { craftSnapshot } from '../../testing/craftSnapshot';
import { describeWithService } from '../../testing/services';
import { useTempDir } from '../../testing/tempDir';
import { testConfig } from '../../testing/testConfig';
import { isStreamNotFound } from './streamFacts';

jest.setTimeout(60_000);

const sc = StringCodec();

interface SeenMessage {
  seq: number;
  subject: string;
  data: string;
  headers: Array<[string, string]>;
}

/** Every message of a stream, read back one by one by sequence. */
async function readAll(
  jsm: JetStreamManager,
  stream: string,
): Promise<SeenMessage[]> {
  const { state } = await jsm.streams.info(stream);
  const seen: SeenMessage[] = [];
  for (
    let seq = state.first_seq;
    seq <= state.last_seq && state.messages > 0;
    seq++
  ) {
    try {
      const m = await jsm.streams.getMessage(stream, { seq });
      const pairs: Array<[string, string]> = [];
      for (const key of m.header?.keys() ?? [])
        for (const v of m.header.values(key)) pairs.push([key, v]);
      seen.push({
        seq,
        subject: m.subject,
        data: Buffer.from(m.data).toString('base64'),
        headers: pairs,
      });
    } catch (error) {
      if (!/no message found/i.test(String((error as Error).message)))
        throw error;
    }
  }
  return seen;
}

async function durableConsumers(jsm: JetStreamManager, stream: string) {
  const found: Array<Record<string, unknown>> = [];
  for await (const c of jsm.consumers.list(stream)) {
    if (c.config.durable_name) {
      const {
        durable_name,
        filter_subject,
        ack_policy,
        deliver_policy,
        max_deliver,
        description,
      } = c.config;
      found.push({
        durable_name,
        filter_subject,
        ack_policy,
        deliver_policy,
        max_deliver,
        description,
      });
    }
  }
  return found.sort((a, b) =>
    String(a.durable_name).localeCompare(String(b.durable_name)),
  );
}

async function deleteStream(jsm: JetStreamManager, name: string) {
  await jsm.streams.delete(name).catch(error => {
    if (!isStreamNotFound(error)) throw error;
  });
}

describeWithService('SAFEKEEP_TEST_NATS_URL', 'nats engine', url => {
  const tempDir = useTempDir();
  const run = `${Date.now().toString(36)}${Math.random()
    .toString(36)
    .slice(2, 6)}`;
  const orders = `SKT_ORDERS_${run}`;
  const bucket = `skt_kv_${run}`;
  const kvStream = `KV_${bucket}`;
  const subject = (rest: string) => `skt.${run}.orders.${rest}`;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connect({ servers: url });
    jsm = await nc.jetstreamManager();
  });

  async function deleteOurStreams() {
    const ours: string[] = [];
    for await (const name of jsm.streams.names())
      if (name.includes(run)) ours.push(name);
    for (const name of ours) await deleteStream(jsm, name);
  }

  afterEach(deleteOurStreams);

  afterAll(async () => {
    await deleteOurStreams();
    await nc.close();
  });

  /** Data with the awkward parts: a first sequence past 1, deleted messages in the middle and at
   * the end, multi-value headers, binary data, a repeated message id, consumers, a KV history. */
  async function seed() {
    const js = nc.jetstream();
    await jsm.streams.add({
      name: orders,
      subjects: [subject('>')],
      duplicate_window: 100_000_000,
    });
    for (let i = 0; i < 3; i++)
      await js.publish(subject('old'), sc.encode(`purged ${i}`));
    await jsm.streams.purge(orders); // the stream now starts at sequence 4
    const h = headers();
    h.append('X-Trace', 'a');
    h.append('X-Trace', 'b');
    h.set('Content-Kind', 'json');
    await js.publish(subject('eu.new'), sc.encode('{"id":1}'), { headers: h });
    await js.publish(subject('us.new'), new Uint8Array([0, 255, 10, 13, 0]));
    const toDelete = await js.publish(
      subject('eu.new'),
      sc.encode('deleted later'),
    );
    const idHeaders = headers();
    idHeaders.set('Nats-Msg-Id', 'order-42');
    await js.publish(subject('eu.paid'), sc.encode('paid once'), {
      headers: idHeaders,
    });
    await new Promise(resolve => setTimeout(resolve, 250)); // past the duplicate window
    await js.publish(subject('eu.paid'), sc.encode('paid again, same id'), {
      headers: idHeaders,
    });
    for (let i = 0; i < 600; i++)
      await js.publish(
        subject(`bulk.${i % 7}`),
        sc.encode(`bulk message ${i}`),
      );
    const tail = await js.publish(
      subject('eu.new'),
      sc.encode('tail, deleted later'),
    );
    await jsm.streams.deleteMessage(orders, toDelete.seq);
    await jsm.streams.deleteMessage(orders, tail.seq);
    await jsm.consumers.add(orders, {
      durable_name: 'billing',
      filter_subject: subject('*.paid'),
      ack_policy: 'explicit' as never,
      max_deliver: 5,
      description: 'billing worker',
    });
    await jsm.consumers.add(orders, {
      durable_name: 'audit',
      ack_policy: 'none' as never,
      deliver_policy: 'last' as never,
    });

    const kv = await js.views.kv(bucket, { history: 1 });
    await kv.put('a', sc.encode('1'));
    await kv.put('b', sc.encode('1'));
    await kv.put('a', sc.encode('2'));
    await kv.put('c', sc.encode('1'));
    await kv.delete('c');
    await kv.put('b', sc.encode('2'));
  }

  function service() {
    const dir = tempDir();
    const config = testConfig(dir, {
      bus: { engine: 'nats', servers: url, streams: [orders, kvStream] },
    });
    return new SnapshotService(config);
  }

  it('backs up streams and restores every message, header, sequence and consumer', async () => {
    await seed();
    const before = {
      orders: await readAll(jsm, orders),
      kv: await readAll(jsm, kvStream),
    };
    const stateBefore = (await jsm.streams.info(orders)).state;
    const consumersBefore = await durableConsumers(jsm, orders);
    const configsBefore = [
      (await jsm.streams.info(orders)).config,
      (await jsm.streams.info(kvStream)).config,
    ];
    expect(before.orders[0].seq).toBe(4);
    expect(before.orders).toHaveLength(604);
    expect(before.orders.map(m => m.data)).toContain(
      Buffer.from('paid again, same id').toString('base64'),
    );

    const svc = service();
    const result = await svc.backup('bus');
    expect(result.manifest.details).toEqual({
      streams: {
        [orders]: {
          messages: 604,
          first_seq: 4,
          last_seq: stateBefore.last_seq,
          bytes: stateBefore.bytes,
          consumers: 2,
        },
        [kvStream]: expect.objectContaining({ messages: 3, consumers: 0 }),
      },
    });
    const id = result.snapshots[0].id;

    await expect(svc.restore('bus', id)).rejects.toThrow(RestoreRefusedError);

    await deleteStream(jsm, orders);
    await deleteStream(jsm, kvStream);
    const restored = await svc.restore('bus', id);
    expect(restored.differences).toEqual([]);

    expect(await readAll(jsm, orders)).toEqual(before.orders);
    expect(await readAll(jsm, kvStream)).toEqual(before.kv);
    expect((await jsm.streams.info(orders)).state).toMatchObject({
      first_seq: 4,
      last_seq: stateBefore.last_seq,
      messages: 604,
      bytes: stateBefore.bytes,
    });
    expect(await durableConsumers(jsm, orders)).toEqual(consumersBefore);
    expect([
      (await jsm.streams.info(orders)).config,
      (await jsm.streams.info(kvStream)).config,
    ]).toEqual(configsBefore);
    const info = await jsm.streams.info(orders);
    expect(info.config.subjects).toEqual([subject('>')]);
    expect(info.config.duplicate_window).toBe(100_000_000);

    // KV revisions are stream sequences: clients doing compare-and-set keep working.
    const kv = await nc.jetstream().views.kv(bucket);
    const b = await kv.get('b');
    expect(sc.decode(b!.value)).toBe('2');
    expect(b!.revision).toBe(6);
    await expect(kv.update('b', sc.encode('3'), 6)).resolves.toBe(7);
    expect((await kv.get('c'))?.operation).toBe('DEL');

    // With force, a changed stream is replaced by the snapshot's content.
    await nc
      .jetstream()
      .publish(subject('eu.new'), sc.encode('written after the backup'));
    const forced = await svc.restore('bus', id, { force: true });
    expect(forced.differences).toEqual([]);
    expect(await readAll(jsm, orders)).toEqual(before.orders);
  });

  it('reads every message of a large stream with many deleted sequences while storage applies backpressure', async () => {
    const js = nc.jetstream();
    await jsm.streams.add({
      name: orders,
      subjects: [subject('>')],
      max_msgs_per_subject: 1,
    });
    const pending = [];
    for (let i = 0; i < 20_000; i++) {
      pending.push(
        js.publish(
          subject(`key.${(i * 7919) % 6000}`),
          sc.encode(`value ${i} `.repeat(20)),
        ),
      );
      if (pending.length >= 256) await pending.shift();
    }
    await Promise.all(pending);
    const state = (await jsm.streams.info(orders)).state;
    expect(state.messages).toBe(6000);

    const dir = tempDir();
    const svc = new SnapshotService(
      testConfig(dir, {
        bus: { engine: 'nats', servers: url, streams: [orders] },
      }),
    );
    const { manifest, snapshots } = await svc.backup('bus');
    expect(manifest.details).toEqual({
      streams: {
        [orders]: {
          messages: 6000,
          first_seq: state.first_seq,
          last_seq: 20_000,
          bytes: state.bytes,
          consumers: 0,
        },
      },
    });
    const restored = await svc.restore('bus', snapshots[0].id, { force: true });
    expect(restored.differences).toEqual([]);
    expect((await jsm.streams.info(orders)).state).toMatchObject({
      messages: 6000,
      first_seq: state.first_seq,
      last_seq: 20_000,
      bytes: state.bytes,
    });
  });

  it('refuses, before changing anything, a stream whose subjects another stream holds', async () => {
    await jsm.streams.add({ name: orders, subjects: [subject('>')] });
    await nc.jetstream().publish(subject('x'), sc.encode('one'));
    await nc.jetstream().views.kv(bucket);
    const svc = service();
    const { snapshots } = await svc.backup('bus');
    await deleteStream(jsm, orders);
    const intruder = `SKT_INTRUDER_${run}`;
    await jsm.streams.add({ name: intruder, subjects: [subject('eu.*')] });
    await nc.jetstream().publish(subject('eu.x'), sc.encode('kept'));

    await expect(
      svc.restore('bus', snapshots[0].id, { force: true }),
    ).rejects.toThrow(
      new RegExp(
        `stream ${orders} cannot be restored: its subjects overlap those of stream ${intruder}`,
      ),
    );
    await expect(jsm.streams.info(orders)).rejects.toThrow(/stream not found/);
    expect((await jsm.streams.info(intruder)).state.messages).toBe(1);
    await deleteStream(jsm, intruder);
  });

  it('refuses a stream file that was cut short, leaving the server as it was', async () => {
    const svc = service();
    await deleteStream(jsm, orders);
    const lines = [
      {
        type: 'stream',
        format: 'safekeep-nats-stream/1',
        name: orders,
        config: { name: orders, subjects: [subject('>')] },
        state: { messages: 2, bytes: 0, first_seq: 1, last_seq: 2 },
      },
      {
        type: 'message',
        seq: 1,
        time: new Date().toISOString(),
        subject: subject('a'),
        data: 'AA==',
      },
    ];
    await craftSnapshot({
      service: svc,
      target: 'bus',
      engine: 'nats',
      id: '20260101T000000Z',
      artifacts: [
        {
          name: 'orders.jsonl',
          stream: Readable.from([lines.map(l => JSON.stringify(l)).join('\n')]),
        },
      ],
    });
    await expect(svc.restore('bus', '20260101T000000Z')).rejects.toThrow(
      /has no end record: the file was cut short/,
    );
    await expect(jsm.streams.info(orders)).rejects.toThrow(/stream not found/);
  });

  it('says which configured stream does not exist', async () => {
    const dir = tempDir();
    const svc = new SnapshotService(
      testConfig(dir, {
        bus: { engine: 'nats', servers: url, streams: [`SKT_MISSING_${run}`] },
      }),
    );
    await expect(svc.backup('bus')).rejects.toThrow(
      new RegExp(
        `stream\\(s\\) SKT_MISSING_${run} do not exist on .*fix targets.bus.streams`,
      ),
    );
  });
});
