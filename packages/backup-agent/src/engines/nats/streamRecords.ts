import { z } from 'zod';

/**
 * One stream's artifact is JSON lines: a `stream` record (configuration and state at the
 * snapshot point), one `consumer` record per durable consumer, one `message` record per
 * message in sequence order, and an `end` record. A file without its `end` line is cut
 * short and is refused at restore.
 */
export const STREAM_FORMAT = 'safekeep-nats-stream/1';

const jsonObject = z.record(z.unknown());

const streamRecord = z.object({
  type: z.literal('stream'),
  format: z.literal(STREAM_FORMAT),
  name: z.string().min(1),
  config: jsonObject.and(
    z.object({
      name: z.string().min(1),
      subjects: z.array(z.string()).optional(),
    }),
  ),
  state: z.object({
    messages: z.number(),
    bytes: z.number(),
    first_seq: z.number(),
    last_seq: z.number(),
  }),
});

const consumerRecord = z.object({
  type: z.literal('consumer'),
  config: jsonObject.and(z.object({ durable_name: z.string().min(1) })),
  /** Where the consumer was; informational, consumers are recreated from their config. */
  state: z
    .object({
      delivered_stream_seq: z.number(),
      ack_floor_stream_seq: z.number(),
      num_pending: z.number(),
    })
    .optional(),
});

const messageRecord = z.object({
  type: z.literal('message'),
  seq: z.number().int().positive(),
  time: z.string(),
  subject: z.string().min(1),
  /** [name, value] pairs in order; a name repeats for multi-value headers. */
  headers: z.array(z.tuple([z.string(), z.string()])).optional(),
  /** base64 */
  data: z.string(),
});

const endRecord = z.object({
  type: z.literal('end'),
  messages: z.number().int().nonnegative(),
  /** The stream's last sequence at the snapshot point (messages after it were left out). */
  last_seq: z.number().int().nonnegative(),
});

export const streamFileRecord = z.discriminatedUnion('type', [
  streamRecord,
  consumerRecord,
  messageRecord,
  endRecord,
]);

export type StreamRecord = z.infer<typeof streamRecord>;
export type ConsumerRecord = z.infer<typeof consumerRecord>;
export type MessageRecord = z.infer<typeof messageRecord>;
export type EndRecord = z.infer<typeof endRecord>;
export type StreamFileRecord = z.infer<typeof streamFileRecord>;

export function encodeRecord(record: StreamFileRecord): Buffer {
  return Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
}

export function decodeRecord(line: string, where: string): StreamFileRecord {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new Error(`${where} is not a JSON line`);
  }
  const parsed = streamFileRecord.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `${where} is not a valid record: ${parsed.error.issues
        .map(i => `${i.path.join('.') || 'record'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return parsed.data;
}
