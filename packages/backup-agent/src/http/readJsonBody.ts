import type { IncomingMessage } from 'node:http';
import { RequestError } from './RequestError';

/** Requests are small JSON objects; a larger body is refused before it is read in full. */
export const BODY_LIMIT_BYTES = 64 * 1024;

const tooLarge = () => new RequestError(413, 'the request body is too large');

/** The body's bytes as sent, up to `limit`; more is a 413. */
function readBytes(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('close', () => {
      if (!request.complete)
        reject(new RequestError(400, 'the request was aborted'));
    });
    request.on('error', reject);
  });
}

/** The media type of a Content-Type header, and whether its charset (if any) is UTF-8. */
function contentType(header: string | undefined) {
  const [type, ...parameters] = (header ?? '').split(';');
  const charset = parameters
    .map(p => p.trim().toLowerCase())
    .find(p => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '');
  return {
    type: type.trim().toLowerCase(),
    utf8: charset === undefined || charset === 'utf-8' || charset === 'utf8',
  };
}

/**
 * A request's body: its bytes as sent (the request signature covers them) and its JSON, `{}`
 * when it has none. Only `application/json` in UTF-8, without content encoding, holding an
 * object or an array (what the API's requests are); anything else is a 4xx that says why.
 */
export async function readJsonBody(
  request: IncomingMessage,
  limit = BODY_LIMIT_BYTES,
): Promise<{ raw: Buffer; body: unknown }> {
  const encoding = request.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity')
    throw new RequestError(
      415,
      `the request body's content encoding "${encoding}" is not supported; send it uncompressed`,
    );
  const raw = await readBytes(request, limit);
  if (raw.length === 0) return { raw, body: {} };
  const { type, utf8 } = contentType(request.headers['content-type']);
  if (type !== 'application/json' || !utf8)
    throw new RequestError(
      415,
      'the request body must be JSON (Content-Type: application/json, UTF-8)',
    );
  const text = raw.toString('utf8').trim();
  // Objects and lists only, as the requests are: a bare string or number is a mistake.
  if (!text.startsWith('{') && !text.startsWith('['))
    throw new RequestError(400, 'the request body is not valid JSON');
  try {
    return { raw, body: JSON.parse(text) };
  } catch {
    throw new RequestError(400, 'the request body is not valid JSON');
  }
}
