import { ResponseError } from '@backstage/errors';

/** True when the backend refused because a backup of the entity is already running. */
export function isRunConflict(error: unknown): boolean {
  return error instanceof ResponseError && error.statusCode === 409;
}

/** The most useful sentence of an error: the server's own message for a failed request. */
export function errorMessage(error: Error): string {
  if (error instanceof ResponseError)
    return error.cause?.message || error.message;
  return error.message;
}
