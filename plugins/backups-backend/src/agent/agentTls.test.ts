/* eslint-disable @backstage/no-undeclared-imports */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { AgentServer, startAgentServer } from '@safekeep/backup-agent';
import { readBackupsConfig } from '../config/readBackupsConfig';
import { AgentClient } from './AgentClient';
import { AgentError } from './AgentError';

jest.setTimeout(60_000);

const TOKEN = 'agent-tls-test-token-8b1e4c7a2d9f3e60';
const TOKEN_ENV = 'SAFEKEEP_BACKEND_TLS_TEST_TOKEN';

let dir: string;
let server: AgentServer;
const file = (name: string) => path.join(dir, name);

/** A private CA and an agent certificate for 127.0.0.1 it signed (openssl). */
function makeCertificates() {
  const openssl = (args: string[]) =>
    execFileSync('openssl', args, { stdio: 'pipe' });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=safekeep test CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('agent.key'),
    '-out',
    file('agent.csr'),
  ]);
  fs.writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  openssl([
    'x509',
    '-req',
    '-in',
    file('agent.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('ext.cnf'),
    '-out',
    file('agent.pem'),
  ]);
  // Another CA, that did not sign the agent's certificate.
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=other CA',
    '-keyout',
    file('other.key'),
    '-out',
    file('other.pem'),
  ]);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-backend-tls-'));
  makeCertificates();
  process.env[TOKEN_ENV] = TOKEN;
  server = await startAgentServer(
    {
      agent: {
        name: 'demo-host',
        listen: {
          host: '127.0.0.1',
          port: 0,
          tls: { cert: file('agent.pem'), key: file('agent.key') },
        },
        token: { env: TOKEN_ENV },
        staging: './staging',
      },
      storage: { local: { type: 'filesystem', path: './snapshots' } },
      targets: {},
    },
    { baseDir: dir, log: () => undefined },
  );
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const clientWith = (agent: Record<string, string>) => {
  const config = readBackupsConfig(
    new ConfigReader({ backups: { agents: { 'demo-host': agent } } }),
  );
  return new AgentClient(config.agents.get('demo-host')!, { timeoutMs: 5000 });
};

/**
 * Plays a listener on the agent's network path: the backend reaches an agent over TLS, trusting
 * only the CA the config names, so a certificate that CA did not sign is refused.
 */
describe('the backend talks to an agent over TLS', () => {
  const url = () => `https://127.0.0.1:${server.port}`;

  it('reaches the agent through https:// when caFile names the CA that signed its certificate', async () => {
    const client = clientWith({
      url: url(),
      token: TOKEN,
      caFile: file('ca.pem'),
    });
    expect(await client.health()).toMatchObject({
      status: 'ok',
      name: 'demo-host',
    });
    expect(await client.listTargets()).toEqual([]);
    // A POST with a body goes through too (and is signed): the agent answers it, 404 here.
    const error = await client.startBackup('no-such-target').then(
      () => undefined,
      (e: AgentError) => e,
    );
    expect(error).toMatchObject({ kind: 'not_found' });
  });

  it('refuses the agent when caFile names another CA, or none is given', async () => {
    const agents: Array<Record<string, string>> = [
      { url: url(), token: TOKEN, caFile: file('other.pem') },
      { url: url(), token: TOKEN },
    ];
    for (const agent of agents) {
      const error = await clientWith(agent)
        .health()
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error).toBeInstanceOf(AgentError);
      expect((error as AgentError).kind).toBe('unreachable');
      expect(error?.message).not.toContain(TOKEN);
    }
  });

  it('says what is wrong with a caFile that cannot be used', () => {
    expect(() =>
      clientWith({ url: url(), token: TOKEN, caFile: file('missing.pem') }),
    ).toThrow(
      /backups\.agents\.demo-host\.caFile: cannot read .*missing\.pem \(ENOENT\)/,
    );
    expect(() =>
      clientWith({
        url: 'http://127.0.0.1:7400',
        token: TOKEN,
        caFile: file('ca.pem'),
      }),
    ).toThrow(/caFile: only applies to an https:\/\/ agent URL/);
  });
});
