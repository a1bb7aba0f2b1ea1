import { ZodError } from 'zod';
import { formatIssues } from '../config/formatIssues';
import { JobConflictError } from '../jobs/JobRegistry';
import { DestinationNotAllowedError } from '../destinations/DestinationNotAllowedError';
import {
  DropRefusedError,
  NotFoundError,
  NotSupportedError,
} from '../snapshots/errors';
import { RequestError } from './RequestError';
import { ApiReply, json } from './router';

/** Turns errors into `{ error }` answers with the right status; unexpected ones are logged. */
export function errorReply(
  log: (message: string) => void,
): (error: unknown) => ApiReply {
  return error => {
    if (error instanceof ZodError)
      return json({ error: formatIssues(error.issues).join('; ') }, 400);
    if (error instanceof RequestError)
      return {
        status: error.status,
        body: { error: error.message },
        // The rest of a refused body is not read: the connection cannot carry another request.
        headers: error.status === 413 ? { connection: 'close' } : undefined,
      };
    if (error instanceof NotFoundError)
      return json({ error: error.message }, 404);
    if (error instanceof DestinationNotAllowedError)
      return json({ error: error.message }, 403);
    if (error instanceof DropRefusedError)
      return json({ error: error.message }, 409);
    if (error instanceof NotSupportedError)
      return json({ error: error.message }, 501);
    if (error instanceof JobConflictError)
      return json(
        { error: error.message, runningJobId: error.runningJob.id },
        409,
      );
    log(
      `request failed: ${
        error instanceof Error ? error.stack ?? error.message : String(error)
      }`,
    );
    return json(
      { error: error instanceof Error ? error.message : 'internal error' },
      500,
    );
  };
}
