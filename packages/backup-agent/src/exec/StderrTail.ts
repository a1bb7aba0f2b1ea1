/** Keeps the last `limit` characters written to a stream, for error messages. */
export class StderrTail {
  private text = '';

  constructor(private readonly limit = 2048) {}

  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.limit * 2);
  }

  toString(): string {
    const trimmed = this.text.trim();
    return trimmed.length > this.limit
      ? `...${trimmed.slice(-this.limit)}`
      : trimmed;
  }
}
