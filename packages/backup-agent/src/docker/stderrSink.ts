import { Writable } from 'node:stream';
import { StderrTail } from '../exec/StderrTail';

/** A writable that keeps the end of what a tool wrote to stderr. */
export function stderrSink(tail: StderrTail): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      tail.push(chunk);
      done();
    },
  });
}
