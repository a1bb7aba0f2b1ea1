import type {
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  MsgHdrs,
  StreamInfo,
} from 'nats';
import { encodeRecord, STREAM_FORMAT } from './streamRecords';
import type { StreamFacts } from './streamFacts';

/** One batch is held in memory at a time: at most 128 × max_payload (1 MiB by default). */
const BATCH = 128;

function headerPairs(
  headers: MsgHdrs | undefined,
): Array<[string, string]> | undefined {
  if (!headers) return undefined;
  const pairs: Array<[string, string]> = [];
  for (const key of headers.keys()) {
    for (const value of headers.values(key)) pairs.push([key, value]);
  }
  return pairs.length > 0 ? pairs : undefined;
}

function messageRecord(message: JsMsg) {
  return encodeRecord({
    type: 'message',
    seq: message.seq,
    time: new Date(Math.floor(message.info.timestampNanos / 1e6)).toISOString(),
    subject: message.subject,
    headers: headerPairs(message.headers),
    data: Buffer.from(message.data).toString('base64'),
  });
}

/**
 * Reads every message up to the stream's last sequence at the start (the snapshot point;
 * later messages are left for the next backup) with an ordered consumer. Each batch is
 * drained into memory before anything is written: with nats.js 2.29 a fetch that is read
 * slowly loses messages silently (seen: 1,440 of 6,000 lost while a compressing upload
 * applied backpressure; the likely cause is the 2 s pull expiry we used then), so a fetch
 * is read at network speed with a long expiry, and ends early at the snapshot point.
 */
async function* messagesUpTo(
  js: JetStreamClient,
  jsm: JetStreamManager,
  info: StreamInfo,
  onMessage: (m: JsMsg) => void,
) {
  const name = info.config.name;
  const end = info.state.last_seq;
  if (info.state.messages === 0) return;
  const consumer = await js.consumers.get(name, {
    name_prefix: 'safekeep_backup',
  });
  try {
    let lastSeen = 0;
    for (;;) {
      const received: JsMsg[] = [];
      const batch = await consumer.fetch({
        max_messages: BATCH,
        expires: 30_000,
      });
      for await (const message of batch) {
        received.push(message);
        if (message.seq >= end || message.info.pending === 0) break;
      }
      for (const message of received) {
        if (message.seq > end) return;
        onMessage(message);
        yield messageRecord(message);
        lastSeen = message.seq;
        if (message.seq >= end || message.info.pending === 0) return;
      }
      if (received.length === 0) {
        // Nothing came: the tail up to `end` may have been deleted meanwhile.
        const now = await jsm.streams.info(name);
        if (now.state.messages === 0 || now.state.last_seq <= lastSeen) return;
      }
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
}

/**
 * Throws when fewer messages were read than the stream held up to the snapshot point. That
 * count is known while nothing at or before it was removed meanwhile (same first sequence,
 * same number of deleted sequences; appends after the snapshot point do not matter). When
 * something was removed, the difference may be those removals: false, and the server's byte
 * count is left out of the details.
 */
async function assertComplete(
  jsm: JetStreamManager,
  info: StreamInfo,
  read: number,
  log: (m: string) => void,
): Promise<boolean> {
  const before = info.state;
  const now = (await jsm.streams.info(info.config.name)).state;
  const nothingRemoved =
    now.first_seq === before.first_seq &&
    (now.num_deleted ?? 0) === (before.num_deleted ?? 0);
  if (!nothingRemoved) {
    log(
      `stream ${info.config.name} lost messages to its limits or to deletions during the backup; ${read} messages were read`,
    );
    return false;
  }
  if (read !== before.messages) {
    throw new Error(
      `stream ${info.config.name}: read ${read} of its ${before.messages} messages; the backup is incomplete and was not kept, run it again`,
    );
  }
  return true;
}

/** One stream as JSON lines (see streamRecords.ts), with the facts recorded for the check. */
export async function* dumpStream(
  js: JetStreamClient,
  jsm: JetStreamManager,
  name: string,
  facts: (result: StreamFacts) => void,
  log: (message: string) => void,
): AsyncGenerator<Buffer> {
  const info = await jsm.streams.info(name);
  const { state } = info;
  yield encodeRecord({
    type: 'stream',
    format: STREAM_FORMAT,
    name,
    config: info.config as unknown as { name: string } & Record<
      string,
      unknown
    >,
    state: {
      messages: state.messages,
      bytes: state.bytes,
      first_seq: state.first_seq,
      last_seq: state.last_seq,
    },
  });

  let consumers = 0;
  for await (const consumer of jsm.consumers.list(name)) {
    if (!consumer.config.durable_name) continue;
    consumers++;
    yield encodeRecord({
      type: 'consumer',
      config: consumer.config as unknown as { durable_name: string } & Record<
        string,
        unknown
      >,
      state: {
        delivered_stream_seq: consumer.delivered.stream_seq,
        ack_floor_stream_seq: consumer.ack_floor.stream_seq,
        num_pending: consumer.num_pending,
      },
    });
  }

  let messages = 0;
  let firstSeq = 0;
  yield* messagesUpTo(js, jsm, info, message => {
    messages++;
    if (firstSeq === 0) firstSeq = message.seq;
  });
  const complete = await assertComplete(jsm, info, messages, log);
  yield encodeRecord({ type: 'end', messages, last_seq: state.last_seq });

  facts({
    messages,
    // What the restored stream will report: its first message, or the empty stream's next seq.
    first_seq: messages > 0 ? firstSeq : state.first_seq,
    last_seq: state.last_seq,
    // The server's byte count describes the snapshot only when nothing was deleted meanwhile.
    ...(complete ? { bytes: state.bytes } : {}),
    consumers,
  });
}
