import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { commandFailureOf } from '../testing/commandFailure';
import { LocalProcessRunner } from './LocalProcessRunner';
import { runToCompletion } from './runToCompletion';
import { withSecretFile } from './withSecretFile';

const runner = new LocalProcessRunner();

describe('LocalProcessRunner', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-exec-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives stdout alone; stderr never mixes into it', async () => {
    const output = await runToCompletion(runner, {
      command: 'sh',
      args: ['-c', 'echo out; echo noise >&2; echo more'],
    });
    expect(output).toBe('out\nmore\n');
  });

  it('keeps the output of a tool that ends before anyone reads it (a small dump)', async () => {
    // Node drops a child's unread stdout when the child exits (child_process flushStdio), so
    // a consumer that attaches later got nothing, and a 2-row MariaDB dump was stored as 0
    // bytes with exit 0 about one backup in eight.
    const running = runner.run({
      command: 'sh',
      args: ['-c', 'echo "-- the whole dump"; echo "INSERT INTO t VALUES (1)"'],
    });
    await running.completion;
    const chunks: Buffer[] = [];
    for await (const chunk of running.stdout) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe(
      '-- the whole dump\nINSERT INTO t VALUES (1)\n',
    );
  });

  it('rejects on a non-zero exit with the code and the end of stderr, secrets scrubbed', async () => {
    const secret = 'pa55-word-xyz';
    const failure = await commandFailureOf(
      runToCompletion(runner, {
        command: 'sh',
        args: ['-c', `echo "auth failed for ${secret}" >&2; exit 3`],
        secrets: [secret],
      }),
    );
    expect(failure.exitCode).toBe(3);
    expect(failure.message).toBe('sh exited with code 3: auth failed for ***');
    expect(failure.message).not.toContain(secret);
  });

  it('keeps only the last ~2 KB of a long stderr', async () => {
    const failure = await commandFailureOf(
      runToCompletion(runner, {
        command: 'sh',
        args: [
          '-c',
          'i=0; while [ $i -lt 500 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 1',
        ],
      }),
    );
    expect(failure.stderrTail.length).toBeLessThanOrEqual(2100);
    expect(failure.stderrTail).toMatch(/line 499$/);
    expect(failure.stderrTail).not.toContain('line 1\n');
  });

  it('rejects when the tool is killed', async () => {
    const running = runner.run({ command: 'sleep', args: ['30'] });
    running.stdout.resume();
    setTimeout(() => running.kill(), 50);
    const failure = await commandFailureOf(running.completion);
    expect(failure.signal).toBe('SIGTERM');
    expect(failure.message).toBe('sleep was killed (SIGTERM)');
  });

  it('says when a tool is not installed', async () => {
    const failure = await commandFailureOf(
      runner.run({ command: 'safekeep-no-such-tool', args: [] }).completion,
    );
    expect(failure.message).toBe(
      "cannot run safekeep-no-such-tool (ENOENT): safekeep-no-such-tool is not installed or not on the agent's PATH",
    );
  });

  it('feeds stdin to the tool', async () => {
    const output = await runToCompletion(runner, {
      command: 'tr',
      args: ['a-z', 'A-Z'],
      stdin: Readable.from(['hello ', 'world']),
    });
    expect(output).toBe('HELLO WORLD');
  });

  it('kills the tool before it sees end-of-input when its stdin source fails', async () => {
    const committed = path.join(dir, 'committed');
    const input = new PassThrough();
    const running = runner.run({
      command: 'sh',
      // Like a restore tool: it commits only after a clean end of its input.
      args: ['-c', `cat > /dev/null && touch '${committed}'`],
      stdin: input,
    });
    running.stdout.resume();
    input.write('partial data\n');
    setTimeout(() => input.destroy(new Error('checksum mismatch')), 50);
    const failure = await commandFailureOf(running.completion);
    expect(failure.message).toBe(
      'sh was stopped because its input failed: checksum mismatch',
    );
    expect(fs.existsSync(committed)).toBe(false);
  });

  it("passes extra env but not the agent's own secrets", async () => {
    process.env.SAFEKEEP_AGENT_TOKEN = 'agent-token-value';
    try {
      const output = await runToCompletion(runner, {
        command: 'env',
        args: [],
        env: { PGPASSFILE: '/x/pgpass' },
      });
      expect(output).toContain('PGPASSFILE=/x/pgpass');
      expect(output).toContain('PATH=');
      expect(output).not.toContain('agent-token-value');
    } finally {
      delete process.env.SAFEKEEP_AGENT_TOKEN;
    }
  });

  it('writes secret files with mode 0600 and removes them afterwards', async () => {
    const staging = path.join(dir, 'staging');
    let seen = '';
    await withSecretFile(runner, staging, 'pgpass', 's3cret', async file => {
      seen = file.path;
      expect(fs.statSync(file.path).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(file.path, 'utf8')).toBe('s3cret');
      expect(path.dirname(file.path)).toBe(staging);
    });
    expect(fs.existsSync(seen)).toBe(false);
    expect(fs.statSync(staging).mode & 0o777).toBe(0o700);
  });

  it("makes a tool's output file private, whatever mode the tool wrote it with", async () => {
    const staging = path.join(dir, 'staging');
    const output = await runner.toolOutputFile(staging, 'dump.rdb');
    // As redis-cli --rdb does: a plain create, under the usual umask (0644).
    await runToCompletion(runner, {
      command: 'sh',
      args: ['-c', `umask 022; echo rdb > "${output.path}"`],
    });
    expect(fs.statSync(output.path).mode & 0o777).toBe(0o644);
    const kept = path.join(staging, 'app-dump.rdb');
    await output.moveTo(kept);
    expect(fs.statSync(kept).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(kept, 'utf8')).toBe('rdb\n');
  });
});
