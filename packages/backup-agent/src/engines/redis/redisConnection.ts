import type Redis from 'ioredis';
import { redisLibrary } from '../../libraries';
import { resolveSecret, SecretRef } from '../../config/secretRef';
import { scrubSecrets } from '../../exec/scrubSecrets';

export interface RedisEndpoint {
  host: string;
  port: number;
  user?: string;
  password?: SecretRef;
}

export function redisPassword(endpoint: RedisEndpoint): string | undefined {
  return endpoint.password ? resolveSecret(endpoint.password) : undefined;
}

export function describeServer(endpoint: {
  host: string;
  port: number;
}): string {
  return `Redis at ${endpoint.host}:${endpoint.port}`;
}

/** Connects (failing fast, no reconnect loop); errors say where, never with the password. */
export async function connectRedis(
  endpoint: RedisEndpoint,
  db = 0,
): Promise<Redis> {
  const password = redisPassword(endpoint);
  const client = new (redisLibrary())({
    host: endpoint.host,
    port: endpoint.port,
    username: endpoint.user,
    password,
    db,
    lazyConnect: true,
    connectTimeout: 10_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis rejects connect() with a bare "Connection is closed"; the cause (ECONNREFUSED,
  // WRONGPASS) arrives as an 'error' event.
  let cause: Error | undefined;
  client.on('error', error => {
    cause ??= error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const reason = scrubSecrets(
      (cause ?? (error as Error)).message,
      password ? [password] : [],
    );
    throw new Error(`cannot connect to ${describeServer(endpoint)}: ${reason}`);
  }
  return client;
}

export async function withRedis<T>(
  endpoint: RedisEndpoint,
  use: (client: Redis) => Promise<T>,
): Promise<T> {
  const client = await connectRedis(endpoint);
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** Whether something answers PING at the endpoint (a stopped server does not). */
export async function isRunning(endpoint: RedisEndpoint): Promise<boolean> {
  try {
    await withRedis(endpoint, client => client.ping());
    return true;
  } catch (error) {
    if (/ECONNREFUSED|ENOENT|ECONNRESET/.test((error as Error).message))
      return false;
    throw error;
  }
}
