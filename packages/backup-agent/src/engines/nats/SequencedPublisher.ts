import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamClient, MsgHdrs, PubAck } from 'nats';
import { natsLibrary } from '../../libraries';

/** Publish-time preconditions, stored with a message but meaningless (and failing) on replay. */
const PRECONDITION_HEADER = /^nats-expected-/i;
const MSG_ID_HEADER = 'nats-msg-id';

/** During a restore the stream's duplicate window is the server's minimum, 100 ms. */
export const RESTORE_DUPLICATE_WINDOW_NANOS = 100_000_000;
const DUPLICATE_RETRY_MS = 120;
const DUPLICATE_RETRIES = 30;

interface InFlight {
  ack: Promise<PubAck>;
  seq: number;
  what: string;
}

/**
 * Republishes into one stream with a window of unacknowledged publishes (order is kept on a
 * single connection) and checks that every acknowledgement carries the sequence it should,
 * so a restore can never renumber or drop messages silently.
 */
export class SequencedPublisher {
  private readonly inFlight: InFlight[] = [];
  published = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    /** The sequence the next publish gets. */
    public next: number,
    private readonly window = 256,
  ) {}

  private async settle(entry: InFlight): Promise<PubAck> {
    let ack: PubAck;
    try {
      ack = await entry.ack;
    } catch (error) {
      throw new Error(
        `stream ${this.stream}: publishing ${entry.what} failed: ${
          (error as Error).message
        }`,
      );
    }
    if (ack.stream !== this.stream) {
      throw new Error(
        `stream ${this.stream}: ${entry.what} was stored by stream ${ack.stream}; another stream captures its subject`,
      );
    }
    if (ack.duplicate || ack.seq !== entry.seq) {
      throw new Error(
        `stream ${this.stream}: ${entry.what} got sequence ${ack.seq}${
          ack.duplicate ? ' (duplicate)' : ''
        } instead of ${entry.seq}; the stream changed during the restore`,
      );
    }
    return ack;
  }

  private async send(
    subject: string,
    data: Uint8Array,
    headers: MsgHdrs | undefined,
    what: string,
  ): Promise<void> {
    if (this.inFlight.length >= this.window)
      await this.settle(this.inFlight.shift()!);
    this.inFlight.push({
      ack: this.js.publish(subject, data, { headers }),
      seq: this.next,
      what,
    });
    this.next++;
    this.published++;
  }

  async drain(): Promise<void> {
    while (this.inFlight.length > 0) await this.settle(this.inFlight.shift()!);
  }

  /** Placeholders for sequences that were deleted in the original stream, purged afterwards. */
  async fillTo(seq: number, gapSubject: string): Promise<number> {
    let filled = 0;
    while (this.next < seq) {
      await this.send(
        gapSubject,
        natsLibrary().Empty,
        undefined,
        `placeholder for sequence ${this.next}`,
      );
      filled++;
    }
    return filled;
  }

  async publish(
    subject: string,
    data: Uint8Array,
    pairs: Array<[string, string]> | undefined,
    what: string,
  ): Promise<void> {
    const kept = (pairs ?? []).filter(
      ([name]) => !PRECONDITION_HEADER.test(name),
    );
    let headers: MsgHdrs | undefined;
    if (kept.length > 0) {
      headers = natsLibrary().headers();
      for (const [name, value] of kept) headers.append(name, value);
    }
    if (!kept.some(([name]) => name.toLowerCase() === MSG_ID_HEADER)) {
      await this.send(subject, data, headers, what);
      return;
    }
    // A message id may repeat one seen moments ago in this restore: the server would drop it
    // as a duplicate. Publish it alone and retry once the (shortened) window has passed.
    await this.drain();
    for (let attempt = 0; ; attempt++) {
      let ack: PubAck;
      try {
        ack = await this.js.publish(subject, data, { headers });
      } catch (error) {
        throw new Error(
          `stream ${this.stream}: publishing ${what} failed: ${
            (error as Error).message
          }`,
        );
      }
      if (!ack.duplicate) {
        await this.settle({ ack: Promise.resolve(ack), seq: this.next, what });
        this.next++;
        this.published++;
        return;
      }
      if (attempt >= DUPLICATE_RETRIES) {
        throw new Error(
          `stream ${this.stream}: ${what} is still refused as a duplicate message id after ${attempt} retries`,
        );
      }
      await sleep(DUPLICATE_RETRY_MS);
    }
  }
}
