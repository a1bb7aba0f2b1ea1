import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  requestSigningMessage,
  SIGNATURE_HEADERS,
  SIGNATURE_MAX_SKEW_MS,
} from '@safekeep/plugin-backups-common';
import { ApiReply, json } from './router';

/** What the signature covers of a request: method, path with query as sent, headers, body. */
export interface SignedParts {
  method: string;
  /** The request's URL as sent (path and query). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body's bytes as received. */
  body: Buffer;
}

export interface RequestSignatureOptions {
  /** Refuse requests without a signature (agent.requireSignedRequests). */
  required: boolean;
  now?: () => number;
}

/**
 * Checks the backend's request signature (timestamp, nonce, HMAC under the token, see
 * requestSigning in -common) after bearer auth: a stale or future timestamp, a nonce already
 * seen while its timestamp is fresh, or a signature that does not match the method, path, body
 * and headers is a 401. Unsigned requests pass only when signing is not required. Nonces are
 * remembered for twice the allowed skew, so a replay is refused for as long as it could pass the
 * timestamp check. Undefined when the request may pass, otherwise the 401 to answer.
 */
export function requestSignature(
  token: string,
  options: RequestSignatureOptions,
): (request: SignedParts) => ApiReply | undefined {
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  const refuse = (why: string) => json({ error: `unauthorized: ${why}` }, 401);
  // Node joins a repeated header of these names into one string, as it does for any x- header.
  const header = (headers: IncomingHttpHeaders, name: string) =>
    headers[name] as string | undefined;

  return request => {
    const timestamp = header(request.headers, SIGNATURE_HEADERS.timestamp);
    const nonce = header(request.headers, SIGNATURE_HEADERS.nonce);
    const signature = header(request.headers, SIGNATURE_HEADERS.signature);
    if (!timestamp && !nonce && !signature) {
      return options.required
        ? refuse(
            'this agent requires signed requests (agent.requireSignedRequests); use a Safekeep backend that signs them',
          )
        : undefined;
    }
    if (!timestamp || !nonce || !signature || !/^\d{1,16}$/.test(timestamp))
      return refuse('incomplete request signature');
    const at = now();
    if (Math.abs(at - Number(timestamp)) > SIGNATURE_MAX_SKEW_MS) {
      return refuse(
        `the request's timestamp is more than ${
          SIGNATURE_MAX_SKEW_MS / 1000
        } s from the agent's clock (a replayed request, or clocks apart: check NTP on both hosts)`,
      );
    }
    const expected = createHmac('sha256', token)
      .update(
        requestSigningMessage({
          method: request.method,
          path: request.url,
          bodySha256: createHash('sha256').update(request.body).digest('hex'),
          timestamp,
          nonce,
        }),
      )
      .digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return refuse('the request signature does not match');
    for (const [old, expires] of seen) {
      if (expires > at) break; // insertion order is expiry order
      seen.delete(old);
    }
    if (seen.has(nonce))
      return refuse('this request was already received (a replay)');
    seen.set(nonce, at + 2 * SIGNATURE_MAX_SKEW_MS);
    return undefined;
  };
}
