import { ConflictError } from '@backstage/errors';

/** A run of the target is already queued or running; `activeRunId` says which. */
export class ActiveRunConflictError extends ConflictError {
  constructor(message: string, readonly activeRunId: string) {
    super(message);
  }
}
