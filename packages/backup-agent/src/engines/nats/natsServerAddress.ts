import type { ServerAddress } from '../sameServer';

const DEFAULT_PORTS: Record<string, number> = {
  'nats:': 4222,
  'tls:': 4222,
  'ws:': 80,
  'wss:': 443,
};

/** Host and port of a NATS server URL (nats://host[:port]), for telling servers apart. */
export function natsServerAddress(url: string): ServerAddress {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: parsed.port
      ? Number(parsed.port)
      : DEFAULT_PORTS[parsed.protocol] ?? 4222,
  };
}

/** A server URL for messages: a user or password written into it is left out. */
export function displayNatsUrl(url: string): string {
  if (!url.includes('@')) return url;
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

export function displayNatsServers(servers: string[]): string {
  return servers.map(displayNatsUrl).join(', ');
}
