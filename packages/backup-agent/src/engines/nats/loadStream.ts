import type { JetStreamClient, JetStreamManager, StreamConfig } from 'nats';
import {
  RESTORE_DUPLICATE_WINDOW_NANOS,
  SequencedPublisher,
} from './SequencedPublisher';
import { isStreamNotFound } from './streamFacts';
import { messagesOf, StagedStream } from './streamFile';
import { natsLibrary } from '../../libraries';

/** Where placeholders for deleted sequences go; purged before the stream gets its own config back. */
export function gapSubjectFor(): string {
  return `_safekeep.gap.${natsLibrary().nuid.next()}`;
}

/**
 * The configuration a stream is loaded with: the original, plus the placeholder subject, and
 * without what would drop or refuse replayed messages (limits, deny flags, seal, sources;
 * messages from sources keep their Nats-Stream-Source header, from which the server resumes
 * sourcing once the sources are added back).
 */
function loadingConfig(
  original: StreamConfig,
  gapSubject: string,
): Partial<StreamConfig> {
  const config: Partial<StreamConfig> = {
    ...original,
    subjects: [...(original.subjects ?? []), gapSubject],
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    discard: 'old' as StreamConfig['discard'],
    deny_delete: false,
    deny_purge: false,
    sealed: false,
    duplicate_window: RESTORE_DUPLICATE_WINDOW_NANOS,
  };
  delete config.sources;
  return config;
}

async function createConsumers(
  jsm: JetStreamManager,
  staged: StagedStream,
): Promise<void> {
  for (const consumer of staged.consumers) {
    try {
      await jsm.consumers.add(staged.stream.name, consumer.config as never);
    } catch (error) {
      throw new Error(
        `stream ${staged.stream.name}: recreating consumer ${
          consumer.config.durable_name
        } failed: ${(error as Error).message}`,
      );
    }
  }
}

async function republish(
  js: JetStreamClient,
  jsm: JetStreamManager,
  staged: StagedStream,
  gapSubject: string,
  log: (m: string) => void,
) {
  const name = staged.stream.name;
  const firstSeq = Math.max(
    1,
    staged.firstMessageSeq ?? staged.stream.state.first_seq,
  );
  if (firstSeq > 1) {
    // On an empty stream, a purge up to a sequence makes that sequence the next one.
    await jsm.streams.purge(name, { seq: firstSeq });
  }
  const start = (await jsm.streams.info(name)).state;
  const keepSequences = start.last_seq + 1 === firstSeq;
  if (!keepSequences) {
    log(
      `stream ${name}: this server cannot start a stream at sequence ${firstSeq}; messages are renumbered from ${
        start.last_seq + 1
      }`,
    );
  }
  const publisher = new SequencedPublisher(js, name, start.last_seq + 1);
  let placeholders = 0;
  for await (const message of messagesOf(staged)) {
    if (keepSequences)
      placeholders += await publisher.fillTo(message.seq, gapSubject);
    await publisher.publish(
      message.subject,
      Buffer.from(message.data, 'base64'),
      message.headers,
      `message ${message.seq}`,
    );
  }
  // Deleted messages at the tail still count: the restored stream continues after them.
  if (keepSequences)
    placeholders += await publisher.fillTo(staged.end.last_seq + 1, gapSubject);
  await publisher.drain();
  if (placeholders > 0) await jsm.streams.purge(name, { filter: gapSubject });
}

/**
 * Recreates one stream from its staged file, replacing a stream of the same name. Sequence
 * numbers are kept: the first one through a purge of the empty stream, gaps through
 * placeholder messages that are purged again. A failure removes the half-loaded stream.
 */
export async function loadStream(
  js: JetStreamClient,
  jsm: JetStreamManager,
  staged: StagedStream,
  log: (message: string) => void,
): Promise<void> {
  const original = staged.stream.config as unknown as StreamConfig;
  const name = staged.stream.name;
  await jsm.streams.delete(name).catch(error => {
    if (!isStreamNotFound(error)) throw error;
  });

  if (original.mirror) {
    await jsm.streams.add(original);
    await createConsumers(jsm, staged);
    log(
      `stream ${name} is a mirror of ${original.mirror.name}: recreated empty, it copies its messages from ${original.mirror.name} again`,
    );
    return;
  }

  const gapSubject = gapSubjectFor();
  await jsm.streams.add(loadingConfig(original, gapSubject));
  try {
    // Interest and work-queue streams drop messages nobody is interested in: consumers first.
    const consumersFirst = original.retention !== 'limits';
    if (consumersFirst) await createConsumers(jsm, staged);
    await republish(js, jsm, staged, gapSubject, log);
    await jsm.streams.update(name, original);
    if (!consumersFirst) await createConsumers(jsm, staged);
  } catch (error) {
    await jsm.streams.delete(name).catch(() => undefined);
    throw error;
  }
}
