import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import {
  requestSigningMessage,
  SIGNATURE_HEADERS,
  SIGNATURE_MAX_SKEW_MS,
} from '@safekeep/plugin-backups-common';

/** The body bytes as received, kept by the JSON parser's `verify` hook. */
export type RequestWithRawBody = Request & { rawBody?: Buffer };

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
 * timestamp check.
 */
export function requestSignature(
  token: string,
  options: RequestSignatureOptions,
): RequestHandler {
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  const refuse = (res: Parameters<RequestHandler>[1], why: string) =>
    res.status(401).json({ error: `unauthorized: ${why}` });

  return (req, res, next) => {
    const timestamp = req.get(SIGNATURE_HEADERS.timestamp);
    const nonce = req.get(SIGNATURE_HEADERS.nonce);
    const signature = req.get(SIGNATURE_HEADERS.signature);
    if (!timestamp && !nonce && !signature) {
      if (options.required)
        refuse(
          res,
          'this agent requires signed requests (agent.requireSignedRequests); use a Safekeep backend that signs them',
        );
      else next();
      return;
    }
    if (!timestamp || !nonce || !signature || !/^\d{1,16}$/.test(timestamp)) {
      refuse(res, 'incomplete request signature');
      return;
    }
    const at = now();
    if (Math.abs(at - Number(timestamp)) > SIGNATURE_MAX_SKEW_MS) {
      refuse(
        res,
        `the request's timestamp is more than ${
          SIGNATURE_MAX_SKEW_MS / 1000
        } s from the agent's clock (a replayed request, or clocks apart: check NTP on both hosts)`,
      );
      return;
    }
    const body = (req as RequestWithRawBody).rawBody ?? Buffer.alloc(0);
    const expected = createHmac('sha256', token)
      .update(
        requestSigningMessage({
          method: req.method,
          path: req.originalUrl,
          bodySha256: createHash('sha256').update(body).digest('hex'),
          timestamp,
          nonce,
        }),
      )
      .digest();
    const given = Buffer.from(signature, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      refuse(res, 'the request signature does not match');
      return;
    }
    for (const [old, expires] of seen) {
      if (expires > at) break; // insertion order is expiry order
      seen.delete(old);
    }
    if (seen.has(nonce)) {
      refuse(res, 'this request was already received (a replay)');
      return;
    }
    seen.set(nonce, at + 2 * SIGNATURE_MAX_SKEW_MS);
    next();
  };
}
