import fs from 'node:fs';
import type { NatsConnection } from 'nats';
import { resolveSecret } from '../../config/secretRef';
import type { NatsSettings } from './natsSettings';
import { natsLibrary } from '../../libraries';

function authOptions(settings: NatsSettings) {
  const credentials = settings.credentials;
  if (!credentials) return {};
  if (credentials.token) return { token: resolveSecret(credentials.token) };
  if (credentials.credsFile) {
    const file = credentials.credsFile;
    let creds: Uint8Array;
    try {
      creds = fs.readFileSync(file);
    } catch (error) {
      throw new Error(
        `cannot read the NATS credentials file ${file} (${
          (error as NodeJS.ErrnoException).code ?? 'error'
        }); make it readable by the agent's user`,
      );
    }
    return { authenticator: natsLibrary().credsAuthenticator(creds) };
  }
  return { user: credentials.user, pass: resolveSecret(credentials.password!) };
}

/**
 * Connects once, without endless reconnects: a backup that loses its server must fail, not
 * wait. Errors name the server and the fix; the NATS client never echoes credentials.
 */
export async function connectNats(
  settings: NatsSettings,
): Promise<NatsConnection> {
  const where = settings.servers.join(', ');
  let nc: NatsConnection;
  try {
    nc = await natsLibrary().connect({
      servers: settings.servers,
      name: 'safekeep-agent',
      maxReconnectAttempts: 3,
      reconnectTimeWait: 500,
      timeout: 10_000,
      ...authOptions(settings),
    });
  } catch (error) {
    const text = String((error as Error).message ?? error);
    if (/authoriz|authentic/i.test(text)) {
      throw new Error(
        `NATS at ${where} refused the agent's credentials (${text}); check the credentials of this target`,
      );
    }
    throw new Error(
      `cannot connect to NATS at ${where}: ${text}; check that the server runs and that "servers" is right`,
    );
  }
  if (!nc.info?.jetstream) {
    await nc.close();
    throw new Error(
      `NATS at ${where} has JetStream disabled; start nats-server with -js (or "jetstream {}" in its config)`,
    );
  }
  return nc;
}

/** Connects, runs `use`, always closes. */
export async function withNats<T>(
  settings: NatsSettings,
  use: (nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const nc = await connectNats(settings);
  try {
    return await use(nc);
  } finally {
    await nc.close();
  }
}
