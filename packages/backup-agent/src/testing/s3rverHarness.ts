import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

// A test-only helper (devDependency); s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports, @backstage/no-undeclared-imports
const S3rver = require('s3rver');

export interface S3rverHarness {
  endpoint: string;
  bucket: string;
  directory: string;
  client: S3Client;
  /** Every request the server received: method, path, query keys and its x-amz-* headers. */
  requests: RecordedS3Request[];
  close(): Promise<void>;
}

export interface RecordedS3Request {
  method: string;
  path: string;
  query: string[];
  amzHeaders: Record<string, string>;
}

/**
 * What a faulty S3 does to one request: answer with an error status (and S3's error XML), reset
 * the connection, or nothing (undefined: the request goes on to s3rver).
 */
export type S3Fault = { status: 500 | 503 } | 'reset' | undefined;
export type S3FaultInjector = (request: RecordedS3Request) => S3Fault;

const FAULT_CODES = { 500: 'InternalError', 503: 'SlowDown' } as const;

type KoaContext = {
  req: { socket: { destroy(): void } };
  respond?: boolean;
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  status: number;
  type: string;
  body: unknown;
};

/** S3's order of open uploads: by key (bytes), then upload id. */
function byKeyThenId(
  x: { key: string; id: string },
  y: { key: string; id: string },
): number {
  if (x.key !== y.key) return x.key < y.key ? -1 : 1;
  return x.id < y.id ? -1 : 1;
}

/**
 * s3rver has no ListMultipartUploads and no AbortMultipartUpload (it answers NotImplemented).
 * These two small handlers add them over s3rver's own on-disk upload folders (the listing with
 * Prefix, Initiated, and pages of `uploadsPerPage` in key then upload id order, as S3 pages
 * with its markers), so tests can check with the real SDK call that a failed upload left no
 * multipart upload open. Everything else is s3rver.
 */
function multipartShim(directory: string, uploadsPerPage: number) {
  const uploadsDir = (bucket: string) =>
    path.join(directory, bucket, '._S3rver_uploads');
  return async (ctx: KoaContext, next: () => Promise<void>) => {
    const parts = ctx.path.split('/').filter(Boolean);
    if (ctx.method === 'GET' && parts.length === 1 && 'uploads' in ctx.query) {
      const dir = uploadsDir(parts[0]);
      const prefix = ctx.query.prefix ?? '';
      const keyMarker = ctx.query['key-marker'] ?? '';
      const idMarker = ctx.query['upload-id-marker'] ?? '';
      const ids = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      const all = ids
        .map(id => {
          const keyFile = path.join(dir, id, 'key');
          // s3rver writes the key file once, when the upload begins: S3's Initiated.
          return {
            id,
            key: fs.readFileSync(keyFile, 'utf8'),
            initiated: fs.statSync(keyFile).mtime.toISOString(),
          };
        })
        .filter(u => u.key.startsWith(prefix))
        .filter(
          u =>
            u.key > keyMarker ||
            (u.key === keyMarker && !!idMarker && u.id > idMarker),
        )
        .sort(byKeyThenId);
      const page = all.slice(0, uploadsPerPage);
      const last = page[page.length - 1];
      const truncated = all.length > page.length;
      const uploads = page
        .map(
          u =>
            `<Upload><Key>${u.key}</Key><UploadId>${u.id}</UploadId><Initiated>${u.initiated}</Initiated></Upload>`,
        )
        .join('');
      const markers = truncated
        ? `<NextKeyMarker>${last.key}</NextKeyMarker><NextUploadIdMarker>${last.id}</NextUploadIdMarker>`
        : '';
      ctx.status = 200;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${parts[0]}</Bucket><Prefix>${prefix}</Prefix><MaxUploads>${uploadsPerPage}</MaxUploads><IsTruncated>${truncated}</IsTruncated>${markers}${uploads}</ListMultipartUploadsResult>`;
      return;
    }
    if (ctx.method === 'DELETE' && parts.length >= 2 && ctx.query.uploadId) {
      fs.rmSync(
        path.join(uploadsDir(parts[0]), path.basename(ctx.query.uploadId)),
        { recursive: true, force: true },
      );
      ctx.status = 204;
      ctx.body = '';
      return;
    }
    await next();
  };
}

/** An SDK client for an s3rver (its fixed credentials, path-style). */
export function s3rverClient(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * A real S3 protocol server (s3rver) on a free port, storing in a temp folder. `faults.inject`
 * plays a failing S3 (500, 503, connections reset) for the requests it picks; it can be set
 * and cleared at any time.
 */
export async function startS3rver(
  bucket = 'backups',
  faults: { inject?: S3FaultInjector } = {},
  /** Open uploads per ListMultipartUploads page (S3: 1,000). */
  uploadsPerPage = 1000,
): Promise<S3rverHarness> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const requests: RecordedS3Request[] = [];
  server.middleware.unshift(multipartShim(directory, uploadsPerPage));
  server.middleware.unshift(
    async (ctx: KoaContext, next: () => Promise<void>) => {
      const request: RecordedS3Request = {
        method: ctx.method,
        path: ctx.path,
        query: Object.keys(ctx.query),
        amzHeaders: Object.fromEntries(
          Object.entries(ctx.headers).filter(
            (entry): entry is [string, string] =>
              entry[0].startsWith('x-amz-') && typeof entry[1] === 'string',
          ),
        ),
      };
      requests.push(request);
      const fault = faults.inject?.(request);
      if (fault === 'reset') {
        ctx.respond = false;
        ctx.req.socket.destroy();
        return;
      }
      if (fault) {
        const code = FAULT_CODES[fault.status];
        ctx.status = fault.status;
        ctx.type = 'application/xml';
        ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected by the test</Message></Error>`;
        return;
      }
      await next();
    },
  );
  const address = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = s3rverClient(endpoint);
  return {
    endpoint,
    bucket,
    directory,
    client,
    requests,
    async close() {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
