// A running agent (`safekeep-agent serve`), called over its HTTP API as the backend calls it:
// POST a job, poll it until it ends.
import { spawn } from 'node:child_process';
import { freePort, log, rssMiB, watchPeakRss } from './processes.mjs';

export async function startAgentServer({ agent, configFile, env }) {
  const port = await freePort();
  const token = env.SAFEKEEP_BENCH_TOKEN;
  const child = spawn(
    process.execPath,
    [
      ...agent.argv,
      'serve',
      '--config',
      configFile,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...agent.env, ...env },
    },
  );
  let output = '';
  child.stdout.on('data', chunk => (output = (output + chunk).slice(-4000)));
  child.stderr.on('data', chunk => (output = (output + chunk).slice(-4000)));
  const exited = new Promise(resolve => child.once('exit', resolve));
  // Never left running when the bench ends some other way.
  process.once('exit', () => child.kill('SIGTERM'));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`safekeep-agent serve exited: ${output}`);
    const healthy = await fetch(`${url}/v1/health`, {
      headers: { authorization: `Bearer ${token}` },
    }).then(
      r => r.ok,
      () => false,
    );
    if (healthy) break;
    if (Date.now() - started > 30_000)
      throw new Error(`safekeep-agent serve did not answer: ${output}`);
    await new Promise(r => setTimeout(r, 50));
  }
  const startSeconds = (Date.now() - started) / 1000;
  // Settled: what it holds once started, before its first job.
  await new Promise(r => setTimeout(r, 1000));
  const idleRssMiB = rssMiB(child.pid);
  log(
    `agent serve on ${url}: answered after ${startSeconds.toFixed(
      2,
    )} s, idle RSS ${idleRssMiB.toFixed(1)} MiB`,
  );
  const peak = watchPeakRss(child.pid);

  const call = async (method, route, body) => {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok)
      throw new Error(`${method} ${route}: ${response.status} ${text}`);
    return JSON.parse(text);
  };

  /** Posts a job and polls it every 50 ms until it ends; the job when it succeeded. */
  const runJob = async (route, body) => {
    let job = await call('POST', route, body);
    while (job.state === 'running') {
      await new Promise(r => setTimeout(r, 50));
      job = await call('GET', `/v1/jobs/${job.id}`);
    }
    if (job.state !== 'succeeded')
      throw new Error(`${route} ${JSON.stringify(body)} failed: ${job.error}`);
    return job;
  };

  return {
    idleRssMiB,
    startSeconds,
    pid: child.pid,
    peakRssMiB: () => peak.stop(),
    backup: target => runJob('/v1/backups', { target }),
    restore: (target, snapshotId, destination) =>
      runJob('/v1/restores', { target, snapshotId, destination }),
    async stop() {
      peak.stop();
      child.kill('SIGTERM');
      await exited;
    },
  };
}
