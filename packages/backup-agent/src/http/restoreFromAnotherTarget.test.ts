import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { AgentJob } from '@safekeep/plugin-backups-common';
import { useTempDir } from '../testing/tempDir';
import { AgentServer, startAgentServer } from './startAgentServer';

const TOKEN = 'from-test-token-0123456789-a7c3e9f';
const auth = { Authorization: `Bearer ${TOKEN}` };

/** An agent ("host") in its own folder, storing snapshots in `snapshots` (shared between hosts). */
async function startHost(
  name: string,
  dir: string,
  snapshots: string,
  targets: Record<string, Record<string, unknown>>,
): Promise<AgentServer> {
  process.env.SAFEKEEP_TEST_FROM_TOKEN = TOKEN;
  return startAgentServer(
    {
      agent: {
        name,
        listen: { host: '127.0.0.1', port: 0 },
        token: { env: 'SAFEKEEP_TEST_FROM_TOKEN' },
        staging: './staging',
      },
      storage: { shared: { type: 'filesystem', path: snapshots } },
      targets,
    },
    { baseDir: dir, log: () => undefined },
  );
}

function rowsIn(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (
      db.prepare('SELECT COUNT(*) AS n FROM items').get() as { n: number }
    ).n;
  } finally {
    db.close();
  }
}

async function finished(server: AgentServer, jobId: string): Promise<AgentJob> {
  for (let i = 0; i < 400; i++) {
    const { body } = await request(server.url)
      .get(`/v1/jobs/${jobId}`)
      .set(auth)
      .expect(200);
    if (body.state !== 'running') return body;
    await new Promise(r => setTimeout(r, 25));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/**
 * "Restore to another machine": host B restores a snapshot host A took of its target `orders`
 * into B's own target `orders-replica`, reading it from the storage both hosts share (`from`).
 */
describe('restoring a snapshot of another target (from), on another host sharing the storage', () => {
  const tempDir = useTempDir();
  let hostA: AgentServer;
  let hostB: AgentServer;
  let dirB: string;
  let snapshotId: string;

  beforeEach(async () => {
    const dirA = tempDir();
    dirB = tempDir();
    const shared = path.join(tempDir(), 'snapshots');
    const db = new Database(path.join(dirA, 'orders.db'));
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);');
    const insert = db.prepare('INSERT INTO items (name) VALUES (?)');
    for (let i = 0; i < 75; i++) insert.run(`order ${i}`);
    db.close();
    hostA = await startHost('host-a', dirA, shared, {
      orders: { engine: 'sqlite', path: './orders.db' },
    });
    hostB = await startHost('host-b', dirB, shared, {
      'orders-replica': { engine: 'sqlite', path: './orders-replica.db' },
    });

    const { body: backup } = await request(hostA.url)
      .post('/v1/backups')
      .set(auth)
      .send({ target: 'orders' })
      .expect(202);
    const done = await finished(hostA, backup.id);
    if (done.state !== 'succeeded')
      throw new Error(`host A's backup ${done.state}: ${done.error}`);
    snapshotId = done.snapshots![0].id;
  });
  afterEach(async () => {
    await hostA.close();
    await hostB.close();
  });

  it('verifies, dry-runs and restores it into its own target, and the check compares with the source snapshot', async () => {
    const b = () => request(hostB.url);
    const { body: verify } = await b()
      .post('/v1/verify')
      .set(auth)
      .send({ target: 'orders-replica', from: 'orders', snapshotId })
      .expect(202);
    expect((await finished(hostB, verify.id)).state).toBe('succeeded');

    const { body: dry } = await b()
      .post('/v1/restores')
      .set(auth)
      .send({
        target: 'orders-replica',
        from: 'orders',
        snapshotId,
        dryRun: true,
      })
      .expect(200);
    expect(dry.refusals).toEqual([]);
    expect(fs.existsSync(path.join(dirB, 'orders-replica.db'))).toBe(false);

    const { body: job } = await b()
      .post('/v1/restores')
      .set(auth)
      .send({ target: 'orders-replica', from: 'orders', snapshotId })
      .expect(202);
    expect(job.subject).toEqual({ kind: 'target', name: 'orders-replica' });
    const done = await finished(hostB, job.id);
    expect(done.state).toBe('succeeded');
    expect(done.details).toMatchObject({ differences: [] });
    expect(rowsIn(path.join(dirB, 'orders-replica.db'))).toBe(75);

    // A second time the replica holds data: refused without force, as any destination.
    const { body: again } = await b()
      .post('/v1/restores')
      .set(auth)
      .send({
        target: 'orders-replica',
        from: 'orders',
        snapshotId,
        dryRun: true,
      })
      .expect(200);
    expect(again.refusals).toEqual([
      expect.stringMatching(/^the destination holds data/),
    ]);
  });

  it('says which target it looked for and where, when the snapshot is not there', async () => {
    const missing = await request(hostB.url)
      .post('/v1/restores')
      .set(auth)
      .send({ target: 'orders-replica', from: 'payments', snapshotId })
      .expect(404);
    expect(missing.body.error).toBe(
      `snapshot ${snapshotId} of target "payments" was not found in tiers shared of target "orders-replica" (an incomplete snapshot, without MANIFEST.json, counts as not found)`,
    );
    // Without from, B looks for snapshots of its own target, and has none.
    await request(hostB.url)
      .post('/v1/verify')
      .set(auth)
      .send({ target: 'orders-replica', snapshotId })
      .expect(404);
  });
});
