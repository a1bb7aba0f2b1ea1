import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { formatIssues } from '../config/formatIssues';
import { JobConflictError } from '../jobs/JobRegistry';
import { DestinationNotAllowedError } from '../destinations/DestinationNotAllowedError';
import {
  DropRefusedError,
  NotFoundError,
  NotSupportedError,
} from '../snapshots/errors';

/** Turns errors into `{ error }` answers with the right status. */
export function errorHandler(
  log: (message: string) => void,
): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    if (error instanceof ZodError) {
      res.status(400).json({ error: formatIssues(error.issues).join('; ') });
    } else if (error instanceof NotFoundError) {
      res.status(404).json({ error: error.message });
    } else if (error instanceof DestinationNotAllowedError) {
      res.status(403).json({ error: error.message });
    } else if (error instanceof DropRefusedError) {
      res.status(409).json({ error: error.message });
    } else if (error instanceof NotSupportedError) {
      res.status(501).json({ error: error.message });
    } else if (error instanceof JobConflictError) {
      res
        .status(409)
        .json({ error: error.message, runningJobId: error.runningJob.id });
    } else if (error?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'the request body is not valid JSON' });
    } else if (error?.type === 'entity.too.large') {
      res.status(413).json({ error: 'the request body is too large' });
    } else {
      log(
        `request failed: ${
          error instanceof Error ? error.stack ?? error.message : String(error)
        }`,
      );
      res.status(500).json({
        error: error instanceof Error ? error.message : 'internal error',
      });
    }
  };
}
