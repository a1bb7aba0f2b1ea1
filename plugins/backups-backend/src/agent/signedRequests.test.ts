/* eslint-disable @backstage/no-undeclared-imports */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentServer, startAgentServer } from '@safekeep/backup-agent';
import { AgentClient } from './AgentClient';

jest.setTimeout(60_000);

const TOKEN = 'signed-requests-test-token-6e2b8d4f1a9c3e57';
const TOKEN_ENV = 'SAFEKEEP_BACKEND_SIGNING_TEST_TOKEN';

let dir: string;
let server: AgentServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-backend-signing-'));
  fs.mkdirSync(path.join(dir, 'files'));
  fs.writeFileSync(path.join(dir, 'files', 'a.txt'), 'a');
  process.env[TOKEN_ENV] = TOKEN;
  server = await startAgentServer(
    {
      agent: {
        name: 'demo-host',
        listen: { host: '127.0.0.1', port: 0 },
        token: { env: TOKEN_ENV },
        staging: './staging',
        requireSignedRequests: true,
      },
      storage: { local: { type: 'filesystem', path: './snapshots' } },
      targets: { files: { engine: 'directory', path: './files' } },
    },
    { baseDir: dir, log: () => undefined },
  );
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * The backend signs every request (timestamp, nonce, HMAC over method, path, body): an agent
 * that refuses unsigned and replayed requests still serves it, GETs with a query and POSTs
 * with a body alike.
 */
it('reaches an agent that requires signed requests, with and without a body', async () => {
  const client = new AgentClient(
    { name: 'demo-host', url: server.url, token: TOKEN },
    { timeoutMs: 10_000 },
  );
  expect(await client.health()).toMatchObject({ status: 'ok' });
  expect((await client.listTargets()).map(t => t.name)).toEqual(['files']);
  expect(await client.listSnapshots('files')).toEqual([]);
  const started = await client.startBackup('files');
  expect(started.kind).toBe('started');
  // The same call twice: a fresh nonce each time, so neither is taken for a replay.
  expect(await client.health()).toMatchObject({ status: 'ok' });
});
