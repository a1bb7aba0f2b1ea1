import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  requestSigningMessage,
  SIGNATURE_HEADERS,
} from '@safekeep/plugin-backups-common';

/**
 * The signature headers of one request to an agent: a fresh timestamp and nonce, and the
 * HMAC-SHA256 under the agent's token over method, path (with query), body sha256, timestamp and
 * nonce. An agent with requireSignedRequests refuses anything else, and any replay.
 */
export function signatureHeaders(
  token: string,
  request: { method: string; path: string; body?: string },
  now: number = Date.now(),
): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomBytes(16).toString('hex');
  const signature = createHmac('sha256', token)
    .update(
      requestSigningMessage({
        method: request.method,
        path: request.path,
        bodySha256: createHash('sha256')
          .update(request.body ?? '')
          .digest('hex'),
        timestamp,
        nonce,
      }),
    )
    .digest('hex');
  return {
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature,
  };
}
