/**
 * Request signing between the backend and an agent: every request carries a timestamp, a
 * nonce and an HMAC-SHA256 under the agent's token over the message below, so a captured
 * request cannot be replayed (the nonce is remembered while the timestamp is fresh) or changed
 * (method, path with query, and the body's sha256 are covered). Both sides compute the HMAC with
 * node:crypto; this module only fixes the names and the message, so it runs in browsers too.
 */
export const SIGNATURE_HEADERS = {
  timestamp: 'x-safekeep-timestamp',
  nonce: 'x-safekeep-nonce',
  signature: 'x-safekeep-signature',
} as const;

/** How far a request's timestamp may be from the agent's clock, either way. */
export const SIGNATURE_MAX_SKEW_MS = 5 * 60 * 1000;

export interface SignedRequestParts {
  method: string;
  /** The path with its query string, as sent: `/v1/snapshots?target=app-db`. */
  path: string;
  /** Hex sha256 of the body bytes (of the empty string when there is none). */
  bodySha256: string;
  /** Milliseconds since the epoch, as a decimal string. */
  timestamp: string;
  nonce: string;
}

/** The text the HMAC covers: one field per line, in this order. */
export function requestSigningMessage(parts: SignedRequestParts): string {
  return [
    'safekeep-request-v1',
    parts.method.toUpperCase(),
    parts.path,
    parts.bodySha256,
    parts.timestamp,
    parts.nonce,
  ].join('\n');
}
