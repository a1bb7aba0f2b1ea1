import https from 'node:https';
import { Readable } from 'node:stream';

interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/**
 * A `fetch` for an agent whose TLS certificate is signed by a private CA
 * (backups.agents.<name>.caFile): node:https with that CA as the only trusted root, answering
 * with a standard Response. It never follows redirects (AgentClient refuses them), and errors
 * keep fetch's shape (`cause.code`, AbortError/TimeoutError) so AgentClient reports them alike.
 */
export function fetchTrustingCa(
  ca: Buffer,
): (url: string, init: FetchInit) => Promise<Response> {
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const request = https.request(
        url,
        {
          method: init.method,
          headers: init.headers,
          ca,
          signal: init.signal,
        },
        response => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value === undefined) continue;
            for (const v of Array.isArray(value) ? value : [value])
              headers.append(name, v);
          }
          const status = response.statusCode ?? 502;
          const empty = status === 204 || status === 304;
          resolve(
            new Response(
              empty
                ? null
                : (Readable.toWeb(response) as ReadableStream<Uint8Array>),
              { status, headers },
            ),
          );
        },
      );
      request.on('error', error => {
        const name = (error as Error).name;
        if (name === 'AbortError' || name === 'TimeoutError') {
          reject(init.signal?.reason ?? error);
          return;
        }
        reject(new TypeError('fetch failed', { cause: error }));
      });
      request.end(init.body);
    });
}
