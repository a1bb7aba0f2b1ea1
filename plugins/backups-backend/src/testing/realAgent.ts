/* eslint-disable @backstage/no-undeclared-imports */
// Test-only helper (never imported by the plugin itself), so its imports are devDependencies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentServer, startAgentServer } from '@safekeep/backup-agent';
import knexFactory from 'knex';

export const AGENT_TOKEN = 'backend-test-agent-token-6c1f0e9d8b7a';
const TOKEN_ENV = 'SAFEKEEP_BACKEND_TEST_AGENT_TOKEN';

export interface RealAgent {
  server: AgentServer;
  dir: string;
  /** The SQLite database the agent backs up as target `app-db`. */
  databaseFile: string;
  close(): Promise<void>;
}

/**
 * Starts the real Safekeep agent (packages/backup-agent) on a free port, in a temp folder,
 * with one SQLite target `app-db` holding a few rows, plus one SQLite target per name in
 * `extraTargets` (each its own small database).
 */
export async function startRealAgent(
  options: { extraTargets?: string[] } = {},
): Promise<RealAgent> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-backend-test-'));
  const databaseFile = path.join(dir, 'data', 'app.db');
  fs.mkdirSync(path.dirname(databaseFile));
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: databaseFile },
    useNullAsDefault: true,
  });
  await db.schema.createTable('items', table => {
    table.increments('id');
    table.text('name');
  });
  await db('items').insert(
    Array.from({ length: 200 }, (_, i) => ({ name: `item ${i}` })),
  );
  await db.destroy();
  const extraTargets: Record<string, { engine: 'sqlite'; path: string }> = {};
  for (const name of options.extraTargets ?? []) {
    const extra = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'data', `${name}.db`) },
      useNullAsDefault: true,
    });
    await extra.schema.createTable('rows', table => {
      table.increments('id');
      table.text('name');
    });
    await extra('rows').insert([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    await extra.destroy();
    extraTargets[name] = { engine: 'sqlite', path: `./data/${name}.db` };
  }

  process.env[TOKEN_ENV] = AGENT_TOKEN;
  const server = await startAgentServer(
    {
      agent: {
        name: 'demo-host',
        listen: { host: '127.0.0.1', port: 0 },
        token: { env: TOKEN_ENV },
        staging: './staging',
      },
      storage: { local: { type: 'filesystem', path: './snapshots' } },
      targets: {
        'app-db': { engine: 'sqlite', path: './data/app.db' },
        ...extraTargets,
      },
    },
    { baseDir: dir, log: () => undefined },
  );
  return {
    server,
    dir,
    databaseFile,
    async close() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
