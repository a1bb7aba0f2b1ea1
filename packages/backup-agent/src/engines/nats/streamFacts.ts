import type { JetStreamManager } from 'nats';

/** Per stream, recorded at backup and observed after a restore. */
export interface StreamFacts {
  messages: number;
  first_seq: number;
  last_seq: number;
  /** The server's storage byte count; left out when the backup saw concurrent deletions. */
  bytes?: number;
  /** Durable consumers. */
  consumers: number;
}

export async function observeStream(
  jsm: JetStreamManager,
  name: string,
): Promise<StreamFacts> {
  const info = await jsm.streams.info(name);
  let consumers = 0;
  for await (const consumer of jsm.consumers.list(name)) {
    if (consumer.config.durable_name) consumers++;
  }
  const { state } = info;
  return {
    messages: state.messages,
    first_seq: state.first_seq,
    last_seq: state.last_seq,
    bytes: state.bytes,
    consumers,
  };
}

export function isStreamNotFound(error: unknown): boolean {
  const e = error as { api_error?: { err_code?: number }; message?: string };
  return (
    e?.api_error?.err_code === 10059 ||
    /stream not found/i.test(String(e?.message))
  );
}

/** Names of every stream on the server, sorted. */
export async function listStreamNames(
  jsm: JetStreamManager,
): Promise<string[]> {
  const names: string[] = [];
  for await (const name of jsm.streams.names()) names.push(name);
  return names.sort();
}

/**
 * Differences for the streams in the snapshot only: with "all streams", the server may hold
 * other streams the restore did not touch.
 */
export function compareStreamFacts(
  recorded: Record<string, unknown>,
  observed: Record<string, unknown>,
): string[] {
  const before = (recorded.streams ?? {}) as Record<
    string,
    Partial<StreamFacts>
  >;
  const after = (observed.streams ?? {}) as Record<
    string,
    Partial<StreamFacts>
  >;
  const differences: string[] = [];
  for (const [name, facts] of Object.entries(before)) {
    const found = after[name];
    if (!found) {
      differences.push(`stream ${name}: in the backup, missing after restore`);
      continue;
    }
    for (const key of [
      'messages',
      'first_seq',
      'last_seq',
      'bytes',
      'consumers',
    ] as const) {
      if (facts[key] !== undefined && found[key] !== facts[key]) {
        differences.push(
          `stream ${name} ${key}: ${facts[key]} at backup, ${
            found[key] ?? 'missing'
          } after restore`,
        );
      }
    }
  }
  return differences;
}
