import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';

export interface ServerAddress {
  host: string;
  port: number;
}

/** Stands for every address of the agent's own machine: `localhost`, `127.0.0.1`, `::1`, its LAN address. */
const THIS_MACHINE = 'this machine';

function isThisMachine(address: string): boolean {
  if (
    /^127\./.test(address) ||
    address === '::1' ||
    address === '0.0.0.0' ||
    address === '::'
  )
    return true;
  return Object.values(os.networkInterfaces()).some(addresses =>
    addresses?.some(a => a.address === address),
  );
}

/** The addresses a host stands for; a name that does not resolve stands for itself. */
async function addressesOf(host: string): Promise<Set<string>> {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const resolved = net.isIP(bare)
    ? [bare]
    : await dns.lookup(bare, { all: true }).then(
        found => found.map(a => a.address),
        () => [],
      );
  if (resolved.length === 0) return new Set([bare]);
  // An IPv4 client can appear as ::ffff:127.0.0.1; it is the same address.
  return new Set(
    resolved
      .map(address => address.replace(/^::ffff:(?=\d+\.)/i, ''))
      .map(address => (isThisMachine(address) ? THIS_MACHINE : address)),
  );
}

/**
 * Whether two endpoints reach the same server: same port, and hosts that resolve to a common
 * address. Every address of this machine counts as one, so `localhost`, `127.0.0.1`, `[::1]` and
 * the machine's own name all are the target's server when it runs here: a destructive drop
 * errs on the side of refusing.
 */
export async function sameServer(
  a: ServerAddress,
  b: ServerAddress,
): Promise<boolean> {
  if (a.port !== b.port) return false;
  const [left, right] = await Promise.all([
    addressesOf(a.host),
    addressesOf(b.host),
  ]);
  return [...left].some(address => right.has(address));
}
