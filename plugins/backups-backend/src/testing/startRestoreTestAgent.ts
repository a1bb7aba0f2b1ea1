/* eslint-disable @backstage/no-undeclared-imports */
// Test-only helper (never imported by the plugin itself), so its imports are devDependencies.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentServer, startAgentServer } from '@safekeep/backup-agent';
import knexFactory, { Knex } from 'knex';

export const RESTORE_AGENT_TOKEN = 'restore-test-agent-token-3b9d7c1e5f';
const TOKEN_ENV = 'SAFEKEEP_RESTORE_TEST_AGENT_TOKEN';

export interface RestoreTestAgent {
  server: AgentServer;
  dir: string;
  /** An absolute path inside the agent's folder. */
  file(relative: string): string;
  /** Opens a SQLite database of the agent's folder (the caller destroys it). */
  sqlite(relative: string): Knex;
  close(): Promise<void>;
}

/**
 * The real Safekeep agent (packages/backup-agent) on a free port in a temp folder. Every
 * SQLite target listed in `sqliteRows` gets a database with one `items` table of that many
 * rows; `targets` adds other targets (postgres...) as the agent config takes them.
 */
export async function startRestoreTestAgent(options: {
  sqliteRows: Record<string, number>;
  /** SQLite targets whose file is created empty (never backed up). */
  emptySqlite?: string[];
  targets?: Record<string, Record<string, unknown>>;
  /** Restore destinations a SQLite target declares (`targets.<name>.destinations`). */
  destinations?: Record<string, Record<string, unknown>>;
  /** Consistency groups, as the agent config takes them (containers need a Docker Engine). */
  groups?: Record<string, Record<string, unknown>>;
}): Promise<RestoreTestAgent> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-restore-test-'));
  fs.mkdirSync(path.join(dir, 'data'));
  const sqlite = (relative: string) =>
    knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, relative) },
      useNullAsDefault: true,
    });
  const targets: Record<string, Record<string, unknown>> = {
    ...options.targets,
  };
  for (const [name, rows] of Object.entries(options.sqliteRows)) {
    const db = sqlite(`data/${name}.db`);
    await db.schema.createTable('items', table => {
      table.increments('id');
      table.text('name');
    });
    await db('items').insert(
      Array.from({ length: rows }, (_, i) => ({ name: `${name} item ${i}` })),
    );
    await db.destroy();
    targets[name] = {
      engine: 'sqlite',
      path: `./data/${name}.db`,
      destinations: options.destinations?.[name],
    };
  }
  for (const name of options.emptySqlite ?? [])
    targets[name] = { engine: 'sqlite', path: `./data/${name}.db` };

  process.env[TOKEN_ENV] = RESTORE_AGENT_TOKEN;
  const server = await startAgentServer(
    {
      agent: {
        name: 'demo-host',
        listen: { host: '127.0.0.1', port: 0 },
        token: { env: TOKEN_ENV },
        staging: './staging',
      },
      storage: { local: { type: 'filesystem', path: './snapshots' } },
      targets,
      ...(options.groups ? { groups: options.groups } : {}),
    },
    { baseDir: dir, log: () => undefined },
  );
  return {
    server,
    dir,
    file: relative => path.join(dir, relative),
    sqlite,
    async close() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
