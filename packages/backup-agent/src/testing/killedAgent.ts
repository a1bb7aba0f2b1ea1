/* eslint-disable jest/no-export -- helpers shared by the kill tests */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// A test-only module, run from the sources: the bin beside them.
// eslint-disable-next-line no-restricted-syntax
const BIN = path.resolve(__dirname, '../../bin/safekeep-agent');
export const KILL_TEST_TOKEN = randomBytes(24).toString('hex');
export const KILL_TEST_TOKEN_ENV = 'SAFEKEEP_KILL_POINTS_TOKEN';
const auth = { authorization: `Bearer ${KILL_TEST_TOKEN}` };

export interface AgentProcess {
  url: string;
  child: ChildProcess;
  stderr(): string;
}

/** A real `safekeep-agent serve` process, as a service manager starts it. */
export async function startAgent(config: string): Promise<AgentProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--config', config], {
    env: { ...process.env, [KILL_TEST_TOKEN_ENV]: KILL_TEST_TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: Buffer[] = [];
  child.stderr!.on('data', chunk => log.push(chunk));
  const stderr = () => Buffer.concat(log).toString('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (http:\/\/\S+)/.exec(stderr());
      if (match) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 20);
    child.once('exit', code => {
      clearInterval(timer);
      reject(new Error(`the agent exited ${code}: ${stderr()}`));
    });
  });
  return { url, child, stderr };
}

export async function kill(agent: AgentProcess) {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return;
  const exited = new Promise(resolve => agent.child.once('exit', resolve));
  agent.child.kill('SIGKILL');
  await exited;
}

export async function call(agent: AgentProcess, route: string, body?: unknown) {
  const res = await fetch(`${agent.url}${route}`, {
    method: body ? 'POST' : 'GET',
    headers: { ...auth, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as Record<string, any>;
  if (!res.ok)
    throw new Error(`${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Posts a job and polls it to its end: its state and error. */
export async function runJob(
  agent: AgentProcess,
  route: string,
  body: unknown,
) {
  let job = await call(agent, route, body);
  while (job.state === 'running') {
    await new Promise(r => setTimeout(r, 25));
    job = await call(agent, `/v1/jobs/${job.id}`);
  }
  return job as { state: string; error?: string };
}

export const listed = async (agent: AgentProcess, target: string) =>
  (
    (await call(agent, `/v1/snapshots?target=${target}`)).snapshots as Array<{
      id: string;
    }>
  ).map(s => s.id);

/** Snapshot folders of the target without a MANIFEST.json (a chunk pool's dot folder aside). */
export function incompleteFolders(dir: string, target: string): string[] {
  const root = path.join(dir, 'snapshots', target);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter(id => !fs.existsSync(path.join(root, id, 'MANIFEST.json')));
}

/** What staging holds besides the running agent's own lock. */
export const stagingLeftovers = (dir: string) =>
  fs.existsSync(path.join(dir, 'staging'))
    ? fs
        .readdirSync(path.join(dir, 'staging'))
        .filter(name => !/^\.agent-\d+-[0-9a-f]{8}\.lock$/.test(name))
    : [];

/** An agent config in dir (agent.yaml) with a filesystem tier and these target lines. */
export function writeKillTestConfig(dir: string, targets: string[]) {
  fs.writeFileSync(
    path.join(dir, 'agent.yaml'),
    [
      'agent:',
      '  name: kill-points',
      '  listen: { host: 127.0.0.1, port: 0 }',
      `  token: { env: ${KILL_TEST_TOKEN_ENV} }`,
      '  staging: ./staging',
      'storage:',
      '  local: { type: filesystem, path: ./snapshots }',
      'targets:',
      ...targets,
      '',
    ].join('\n'),
  );
}
