import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../config/ConfigError';
import { useTempDir } from '../testing/tempDir';
import { startAgentServer } from './startAgentServer';

const BIN = path.resolve(__dirname, '../../bin/safekeep-agent');
const STRONG = 'transport-test-token-5d8e1f3a9b7c2e4d';
const TOKEN_ENV = 'SAFEKEEP_TEST_TRANSPORT_TOKEN';

function config(_dir: string, agentExtra: Record<string, unknown> = {}) {
  return {
    agent: {
      name: 'transport-host',
      token: { env: TOKEN_ENV },
      staging: './staging',
      listen: { port: 0 },
      ...agentExtra,
    },
    storage: { local: { type: 'filesystem', path: './snapshots' } },
    targets: {},
  };
}

/** A self-signed CA and a server certificate for 127.0.0.1 that it signed (openssl). */
function makeCertificates(dir: string) {
  const file = (name: string) => path.join(dir, name);
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
  return {
    ca: file('ca.pem'),
    cert: file('agent.pem'),
    key: file('agent.key'),
  };
}

/**
 * Plays whoever sees the agent's traffic or guesses its token: a short token, a listener open to
 * the network over plain HTTP, and manifests nobody can authenticate must not go unnoticed.
 */
describe("the agent's transport", () => {
  const tempDir = useTempDir();
  afterEach(() => {
    delete process.env[TOKEN_ENV];
  });

  it.each([
    ['one character', 'Q'],
    ['31 characters', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d'],
    ['long but one repeated character', 'z'.repeat(40)],
  ])('refuses to start with a weak token (%s)', async (_what, token) => {
    process.env[TOKEN_ENV] = token;
    const error = await startAgentServer(config(tempDir()), {
      baseDir: tempDir(),
      log: () => undefined,
    }).then(
      server => server.close(),
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /agent\.token: is too weak for a bearer token: it needs at least 32 characters and at least 8 different ones; generate one with `openssl rand -hex 32`/,
    );
    expect((error as Error).message).not.toContain(token);
  });

  it('exits 2 from `serve` with a short token, like other config errors, and never prints it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.json');
    fs.writeFileSync(file, JSON.stringify(config(dir)));
    const failure = await promisify(execFile)(
      process.execPath,
      [BIN, 'serve', '--config', file],
      {
        env: { ...process.env, [TOKEN_ENV]: 'short-secret' },
        // An agent that starts anyway (the old behaviour) is killed rather than left running.
        timeout: 30_000,
      },
    ).then(
      () => undefined,
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toMatch(/agent\.token: is too weak/);
    expect(`${failure?.stderr}${failure?.stdout}`).not.toContain(
      'short-secret',
    );
  }, 60_000);

  it('warns when it listens beyond loopback without TLS, and when no manifestKey is set', async () => {
    process.env[TOKEN_ENV] = STRONG;
    const logs: string[] = [];
    const server = await startAgentServer(config(tempDir()), {
      baseDir: tempDir(),
      host: '0.0.0.0',
      log: message => logs.push(message),
    });
    await server.close();
    expect(logs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^warning: the agent listens on 0\.0\.0\.0 over plain HTTP: its token and every request can be read on the network; set agent\.listen\.tls \(cert and key files\)/,
        ),
        expect.stringMatching(
          /^warning: no manifestKey is set: snapshot manifests are not authenticated, so whoever can write a storage tier can change what a restore writes; set defaults\.manifestKey/,
        ),
      ]),
    );
  });

  it('says nothing on loopback with a manifestKey', async () => {
    process.env[TOKEN_ENV] = STRONG;
    process.env.SAFEKEEP_TEST_TRANSPORT_MANIFEST_KEY = 'm'.repeat(8) + STRONG;
    const logs: string[] = [];
    const server = await startAgentServer(
      {
        ...config(tempDir()),
        defaults: {
          manifestKey: { env: 'SAFEKEEP_TEST_TRANSPORT_MANIFEST_KEY' },
        },
      },
      { baseDir: tempDir(), log: message => logs.push(message) },
    );
    await server.close();
    expect(logs.filter(l => l.startsWith('warning:'))).toEqual([]);
  });

  it('serves HTTPS with agent.listen.tls, and a client trusting the CA gets through', async () => {
    const dir = tempDir();
    const certs = makeCertificates(dir);
    process.env[TOKEN_ENV] = STRONG;
    const logs: string[] = [];
    const server = await startAgentServer(
      config(dir, {
        listen: { port: 0, tls: { cert: certs.cert, key: certs.key } },
        // About TLS only: beyond loopback signing is otherwise required (requestSigning.test).
        requireSignedRequests: false,
      }),
      { baseDir: dir, host: '0.0.0.0', log: message => logs.push(message) },
    );
    try {
      expect(server.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
      const get = (ca?: string) =>
        new Promise<{ status?: number; body: string }>((resolve, reject) => {
          const request = https.get(
            `https://127.0.0.1:${server.port}/v1/health`,
            {
              headers: { authorization: `Bearer ${STRONG}` },
              ...(ca ? { ca: fs.readFileSync(ca) } : {}),
            },
            response => {
              let body = '';
              response.on('data', chunk => (body += chunk));
              response.on('end', () =>
                resolve({ status: response.statusCode, body }),
              );
            },
          );
          request.on('error', reject);
        });
      expect(await get(certs.ca)).toMatchObject({ status: 200 });
      await expect(get()).rejects.toThrow(/self-signed|unable to verify/);
      // Plain HTTP to the TLS port gets no answer from the API.
      const plain = await fetch(`http://127.0.0.1:${server.port}/v1/health`, {
        headers: { authorization: `Bearer ${STRONG}` },
      }).then(
        r => r.status,
        () => 'refused',
      );
      expect(plain).not.toBe(200);
      expect(logs.filter(l => l.includes('plain HTTP'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
