// An S3 endpoint for the agent benches: s3rver in this process, on a free port, in `dir`.
import { createRequire } from 'node:module';
import path from 'node:path';

export async function startS3({ root, dir }) {
  const S3rver = createRequire(
    path.join(root, 'packages/backup-agent/package.json'),
  )('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    // bench-own: the tiers of bench targets that get one each (agentConfig.mjs `ownTiers`).
    configureBuckets: [{ name: 'bench-snapshots' }, { name: 'bench-own' }],
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () => server.close(),
  };
}
