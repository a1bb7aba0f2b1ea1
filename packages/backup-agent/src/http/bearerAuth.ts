import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiReply } from './router';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Requires `Authorization: Bearer <token>`: undefined when the request carries it, otherwise
 * the 401 to answer. Compares fixed-length digests with timingSafeEqual, so neither the token's
 * content nor its length leaks through timing. The answer to a bad or missing token says
 * nothing about why.
 */
export function bearerAuth(
  token: string,
): (headers: IncomingHttpHeaders) => ApiReply | undefined {
  const expected = digest(token);
  return headers => {
    const match = /^Bearer (.+)$/i.exec(headers.authorization ?? '');
    if (match && timingSafeEqual(digest(match[1]), expected)) return undefined;
    return {
      status: 401,
      body: { error: 'unauthorized' },
      headers: { 'www-authenticate': 'Bearer' },
    };
  };
}
