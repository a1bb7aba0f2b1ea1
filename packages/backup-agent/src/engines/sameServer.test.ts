import os from 'node:os';
import { sameServer } from './sameServer';

describe('sameServer', () => {
  it('treats the spellings of this machine as one server on the same port', async () => {
    // The machine's LAN address too: a server bound to every interface answers there as well.
    const lan = Object.values(os.networkInterfaces())
      .flatMap(addresses => addresses ?? [])
      .filter(a => !a.internal)
      .map(a => a.address);
    for (const host of [
      'localhost',
      '127.0.0.1',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
      '127.0.1.1',
      ...lan,
    ]) {
      expect(
        await sameServer(
          { host, port: 6379 },
          { host: '127.0.0.1', port: 6379 },
        ),
      ).toBe(true);
    }
  });

  it('tells servers apart by port, and names that do not resolve by name', async () => {
    expect(
      await sameServer(
        { host: 'localhost', port: 6391 },
        { host: '127.0.0.1', port: 6379 },
      ),
    ).toBe(false);
    expect(
      await sameServer(
        { host: 'cache.invalid', port: 6379 },
        { host: 'CACHE.invalid', port: 6379 },
      ),
    ).toBe(true);
    expect(
      await sameServer(
        { host: 'cache.invalid', port: 6379 },
        { host: 'other.invalid', port: 6379 },
      ),
    ).toBe(false);
    expect(
      await sameServer(
        { host: 'cache.invalid', port: 6379 },
        { host: '127.0.0.1', port: 6379 },
      ),
    ).toBe(false);
    expect(
      await sameServer(
        { host: '192.0.2.10', port: 3306 },
        { host: '192.0.2.11', port: 3306 },
      ),
    ).toBe(false);
  });
});
