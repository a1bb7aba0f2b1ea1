import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { pipeline } from 'node:stream/promises';
import type { RestoreArtifact } from '../EngineDriver';
import {
  ConsumerRecord,
  decodeRecord,
  EndRecord,
  MessageRecord,
  StreamFileRecord,
  StreamRecord,
} from './streamRecords';

export interface StagedStream {
  artifact: string;
  file: string;
  stream: StreamRecord;
  consumers: ConsumerRecord[];
  end: EndRecord;
  /** Sequence of the first message; undefined for an empty stream. */
  firstMessageSeq?: number;
}

/** The records of a stream file, with "artifact line N" for errors. */
export async function* readRecords(
  file: string,
  artifact: string,
): AsyncGenerator<StreamFileRecord> {
  const lines = readline.createInterface({
    input: fs.createReadStream(file),
    crlfDelay: Infinity,
  });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line === '') continue;
    yield decodeRecord(line, `${artifact} line ${number}`);
  }
}

export async function* messagesOf(
  staged: StagedStream,
): AsyncGenerator<MessageRecord> {
  for await (const record of readRecords(staged.file, staged.artifact)) {
    if (record.type === 'message') yield record;
  }
}

/**
 * Copies an artifact to a local file (its checksum is verified as it streams) and checks its
 * whole structure, so a broken or cut-short artifact is refused before the server is touched.
 */
export async function stageStreamFile(
  artifact: RestoreArtifact,
  dir: string,
  index: number,
): Promise<StagedStream> {
  const file = path.join(dir, `${index}.jsonl`);
  await pipeline(
    await artifact.open(),
    fs.createWriteStream(file, { flags: 'wx', mode: 0o600 }),
  );

  const what = artifact.name;
  let stream: StreamRecord | undefined;
  let end: EndRecord | undefined;
  const consumers: ConsumerRecord[] = [];
  let messages = 0;
  let previousSeq = 0;
  let firstMessageSeq: number | undefined;
  for await (const record of readRecords(file, what)) {
    if (end) throw new Error(`${what} has records after its end record`);
    if (!stream) {
      if (record.type !== 'stream')
        throw new Error(
          `${what} does not start with a stream record; it is not a Safekeep NATS stream file`,
        );
      stream = record;
      continue;
    }
    switch (record.type) {
      case 'stream':
        throw new Error(`${what} has a second stream record`);
      case 'consumer':
        if (messages > 0)
          throw new Error(`${what} has a consumer record after messages`);
        consumers.push(record);
        break;
      case 'message':
        if (record.seq <= previousSeq)
          throw new Error(
            `${what}: message sequence ${record.seq} follows ${previousSeq}; messages must be in sequence order`,
          );
        previousSeq = record.seq;
        firstMessageSeq ??= record.seq;
        messages++;
        break;
      default:
        end = record;
    }
  }
  if (!stream) throw new Error(`${what} is empty`);
  if (!end)
    throw new Error(
      `${what} has no end record: the file was cut short and is not restored`,
    );
  if (end.messages !== messages)
    throw new Error(
      `${what} announces ${end.messages} messages and holds ${messages}`,
    );
  if (previousSeq > end.last_seq)
    throw new Error(
      `${what}: message sequence ${previousSeq} is past the stream's last sequence ${end.last_seq}`,
    );
  return { artifact: what, file, stream, consumers, end, firstMessageSeq };
}
