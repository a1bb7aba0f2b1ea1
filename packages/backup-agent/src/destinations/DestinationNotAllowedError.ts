/** A restore or drop that names a destination the agent config does not declare (HTTP 403). */
export class DestinationNotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DestinationNotAllowedError';
  }
}
