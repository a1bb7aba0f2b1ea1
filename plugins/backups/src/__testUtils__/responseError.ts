import { ResponseError } from '@backstage/errors';

/** A ResponseError as BackupsClient throws it for a Backstage error body. */
export function responseError(
  status: number,
  statusText: string,
  message: string,
  name = 'Error',
) {
  const body = JSON.stringify({
    error: { name, message },
    response: { statusCode: status },
  });
  return ResponseError.fromResponse({
    headers: new Headers({ 'content-type': 'application/json' }),
    ok: false,
    redirected: false,
    status,
    statusText,
    type: 'basic',
    url: 'http://localhost/api/backups',
    text: async () => body,
  });
}
