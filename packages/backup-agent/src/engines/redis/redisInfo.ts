import type Redis from 'ioredis';

/** An INFO reply as a map of its `key:value` lines. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#'))
      fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

/** INFO <section> as a map of its `key:value` lines. */
export async function readInfo(
  client: Redis,
  section: string,
): Promise<Map<string, string>> {
  return parseInfo(await client.info(section));
}

/** Keys per database from INFO keyspace (`db0:keys=3,expires=1,...`), only non-empty ones. */
export async function keyspace(
  client: Redis,
): Promise<Record<string, { keys: number }>> {
  return keyspaceOf(await readInfo(client, 'keyspace'));
}

export function keyspaceOf(
  info: Map<string, string>,
): Record<string, { keys: number }> {
  const databases: Record<string, { keys: number }> = {};
  for (const [name, value] of info) {
    const keys = /(?:^|,)keys=(\d+)/.exec(value);
    if (/^db\d+$/.test(name) && keys)
      databases[name] = { keys: Number(keys[1]) };
  }
  return databases;
}

export function totalKeys(databases: Record<string, { keys: number }>): number {
  return Object.values(databases).reduce((sum, db) => sum + db.keys, 0);
}

/** The Redis-compatible version (Valkey reports one too), e.g. "7.0.15". */
export async function serverVersionOf(client: Redis): Promise<string> {
  const info = await readInfo(client, 'server');
  return info.get('redis_version') ?? 'unknown';
}
