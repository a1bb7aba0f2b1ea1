import fs from 'node:fs';
import readline from 'node:readline';
import { z } from 'zod';

/**
 * `objects.jsonl`: an `index` line, one `object` line per object (sorted as S3 lists them),
 * an `end` line. Contents are not in the index: each object names its blob by sha256, stored
 * as `blobs/<sha256>` in this snapshot's `objects.tar`, or, when `blob_snapshot` is set, in
 * that earlier snapshot's `objects.tar` (incremental backups).
 */
export const INDEX_FORMAT = 'safekeep-s3-objects/1';
export const INDEX_ARTIFACT = 'objects.jsonl';
export const BLOBS_ARTIFACT = 'objects.tar';

const SHA256 = /^[0-9a-f]{64}$/;

const indexRecord = z.object({
  type: z.literal('index'),
  format: z.literal(INDEX_FORMAT),
  bucket: z.string(),
  prefix: z.string(),
});

const objectRecord = z.object({
  type: z.literal('object'),
  /** Relative to the backed-up prefix; "" for the folder marker object named like the prefix. */
  key: z.string(),
  size: z.number().int().nonnegative(),
  etag: z.string().optional(),
  sha256: z.string().regex(SHA256),
  last_modified: z.string().optional(),
  content_type: z.string().optional(),
  cache_control: z.string().optional(),
  content_disposition: z.string().optional(),
  content_encoding: z.string().optional(),
  content_language: z.string().optional(),
  metadata: z.record(z.string()).default({}),
  blob_snapshot: z.string().optional(),
});

const endRecord = z.object({
  type: z.literal('end'),
  objects: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

const record = z.discriminatedUnion('type', [
  indexRecord,
  objectRecord,
  endRecord,
]);

export type IndexHeader = z.infer<typeof indexRecord>;
export type IndexedObject = z.infer<typeof objectRecord>;
export type IndexEnd = z.infer<typeof endRecord>;
export type IndexRecord = z.infer<typeof record>;

export function encodeIndexRecord(value: IndexRecord): string {
  return `${JSON.stringify(value)}\n`;
}

export interface ObjectIndex {
  header: IndexHeader;
  objects: IndexedObject[];
  end: IndexEnd;
}

/** Reads and checks a whole index file; a file without its end line was cut short. */
export async function readObjectIndex(
  file: string,
  what = INDEX_ARTIFACT,
): Promise<ObjectIndex> {
  const lines = readline.createInterface({
    input: fs.createReadStream(file),
    crlfDelay: Infinity,
  });
  let header: IndexHeader | undefined;
  let end: IndexEnd | undefined;
  const objects: IndexedObject[] = [];
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line === '') continue;
    let parsed: IndexRecord;
    try {
      parsed = record.parse(JSON.parse(line));
    } catch (error) {
      throw new Error(
        `${what} line ${number} is not a valid index record (${(
          error as Error
        ).message.slice(0, 200)})`,
      );
    }
    if (end) throw new Error(`${what} has records after its end line`);
    if (!header) {
      if (parsed.type !== 'index')
        throw new Error(
          `${what} does not start with an index line; it is not a Safekeep S3 index`,
        );
      header = parsed;
    } else if (parsed.type === 'object') {
      objects.push(parsed);
    } else if (parsed.type === 'end') {
      end = parsed;
    } else {
      throw new Error(`${what} line ${number}: a second index line`);
    }
  }
  if (!header) throw new Error(`${what} is empty`);
  if (!end)
    throw new Error(
      `${what} has no end line: it was cut short and is not restored`,
    );
  const bytes = objects.reduce((sum, o) => sum + o.size, 0);
  if (end.objects !== objects.length || end.bytes !== bytes) {
    throw new Error(
      `${what} announces ${end.objects} objects of ${end.bytes} bytes and lists ${objects.length} of ${bytes}`,
    );
  }
  return { header, objects, end };
}
