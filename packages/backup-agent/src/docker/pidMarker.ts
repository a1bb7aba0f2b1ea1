import { Writable } from 'node:stream';

/**
 * Docker has no API to signal a process started with exec, so each tool is started through
 * `sh -c` that first reports its PID on stderr and then execs the tool (the tool's argv is
 * exactly what was asked for). This writable takes that first line off stderr.
 */
export const PID_SCRIPT = `printf '\\036safekeep-pid %s\\n' "$$" >&2; exec "$0" "$@"`;

// The marker starts with the record separator (0x1E), which no tool starts its stderr with.
const MARKER = new RegExp(`^${String.fromCharCode(0x1e)}safekeep-pid (\\d+)\n`);

export class PidMarkerStderr extends Writable {
  private head = '';
  private seen = false;
  pid: number | undefined;

  constructor(
    private readonly forward: (chunk: Buffer) => void,
    private readonly onPid: (pid: number) => void,
  ) {
    super();
  }

  _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    if (this.seen) {
      this.forward(chunk);
      done();
      return;
    }
    this.head += chunk.toString('latin1');
    const match = MARKER.exec(this.head);
    if (match) {
      this.seen = true;
      this.pid = Number(match[1]);
      this.onPid(this.pid);
      const rest = this.head.slice(match[0].length);
      if (rest) this.forward(Buffer.from(rest, 'latin1'));
    } else if (this.head.includes('\n') || this.head.length > 64) {
      // No marker: sh itself failed to start; pass everything on for the error message.
      this.seen = true;
      this.forward(Buffer.from(this.head, 'latin1'));
    }
    done();
  }
}
