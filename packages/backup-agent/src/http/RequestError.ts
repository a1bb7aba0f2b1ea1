/** A request the API cannot read (its body or its path), answered with `status` and the message. */
export class RequestError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'RequestError';
  }
}
