import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runToCompletion } from '../exec/runToCompletion';
import { withSecretFile } from '../exec/withSecretFile';
import { commandFailureOf } from '../testing/commandFailure';
import {
  DB_IMAGE,
  describeWithDocker,
  execIn,
  removeTestResources,
  startTestContainer,
  testPrefix,
} from '../testing/dockerHarness';
import { DockerExecRunner } from './DockerExecRunner';

jest.setTimeout(60_000);

describeWithDocker('DockerExecRunner (real Docker Engine)', docker => {
  const prefix = testPrefix('exec');
  const name = `${prefix}-box`;
  const userName = `${prefix}-postgres-user`;
  let runner: DockerExecRunner;

  beforeAll(async () => {
    await startTestContainer(docker, {
      name,
      image: DB_IMAGE,
      cmd: ['sleep', 'infinity'],
    });
    await startTestContainer(docker, {
      name: userName,
      image: DB_IMAGE,
      cmd: ['sleep', 'infinity'],
      user: 'postgres',
    });
    runner = new DockerExecRunner(docker, name);
  });
  afterAll(() => removeTestResources(docker, prefix));

  it('gives stdout alone; stderr never mixes into it', async () => {
    const output = await runToCompletion(runner, {
      command: 'sh',
      args: ['-c', 'echo out; echo noise >&2; echo more'],
    });
    expect(output).toBe('out\nmore\n');
  });

  it('fails a tool that exits non-zero, with the code and the end of stderr, secrets scrubbed', async () => {
    const secret = 'pa55-word-xyz';
    const failure = await commandFailureOf(
      runToCompletion(runner, {
        command: 'sh',
        args: [
          '-c',
          `echo partial; echo "auth failed for ${secret}" >&2; exit 3`,
        ],
        secrets: [secret],
      }),
    );
    expect(failure.exitCode).toBe(3);
    expect(failure.message).toBe('sh exited with code 3: auth failed for ***');
  });

  it('says when a tool is not installed in the container, and when the container is not running', async () => {
    const missing = await commandFailureOf(
      runner.run({ command: 'safekeep-no-such-tool', args: [] }).completion,
    );
    expect(missing.message).toBe(
      `cannot run safekeep-no-such-tool (not found): safekeep-no-such-tool is not installed in container ${name}`,
    );

    const stopped = `${prefix}-stopped`;
    await startTestContainer(docker, {
      name: stopped,
      image: DB_IMAGE,
      cmd: ['true'],
      start: false,
    });
    const notRunning = await commandFailureOf(
      new DockerExecRunner(docker, stopped).run({
        command: 'pg_dump',
        args: [],
      }).completion,
    );
    expect(notRunning.message).toMatch(
      new RegExp(
        `^cannot run pg_dump: container ${stopped} is not running \\(.*\\); the target's tools run inside it with docker exec, so it must be running$`,
      ),
    );

    const absent = await commandFailureOf(
      new DockerExecRunner(docker, `${prefix}-absent`).run({
        command: 'pg_dump',
        args: [],
      }).completion,
    );
    expect(absent.message).toBe(
      `cannot run pg_dump: container ${prefix}-absent does not exist; check the target's container setting`,
    );
  });

  it('feeds stdin to the tool and passes env without showing it in exec inspect', async () => {
    const output = await runToCompletion(runner, {
      command: 'tr',
      args: ['a-z', 'A-Z'],
      stdin: Readable.from(['hello ', 'world']),
    });
    expect(output).toBe('HELLO WORLD');

    const env = await runToCompletion(runner, {
      command: 'sh',
      args: ['-c', 'echo "$SAFEKEEP_TEST_SECRET"'],
      env: { SAFEKEEP_TEST_SECRET: 'env-secret-123' },
    });
    expect(env).toBe('env-secret-123\n');
    expect(runner.execIds.length).toBeGreaterThan(0);
    for (const id of runner.execIds) {
      const exec = await docker.getExec(id).inspect();
      expect(exec.ProcessConfig.entrypoint).toBe('sh');
      expect(JSON.stringify(exec)).not.toContain('env-secret-123');
    }
    expect(
      JSON.stringify((await docker.getContainer(name).inspect()).Config),
    ).not.toContain('env-secret-123');
  });

  it('kills the tool before it sees end-of-input when its stdin source fails', async () => {
    const input = new PassThrough();
    const running = runner.run({
      command: 'sh',
      args: ['-c', 'cat > /dev/null && touch /tmp/committed'],
      stdin: input,
    });
    running.stdout.resume();
    input.write('partial data\n');
    setTimeout(() => input.destroy(new Error('checksum mismatch')), 300);
    const failure = await commandFailureOf(running.completion);
    expect(failure.message).toBe(
      'sh was stopped because its input failed: checksum mismatch',
    );
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(
      await execIn(docker, name, [
        'sh',
        '-c',
        'ls /tmp/committed 2>/dev/null || echo absent',
      ]),
    ).toBe('absent\n');
  });

  it('stops a tool on kill()', async () => {
    const running = runner.run({ command: 'sleep', args: ['30'] });
    running.stdout.resume();
    setTimeout(() => running.kill(), 300);
    const failure = await commandFailureOf(running.completion);
    expect(failure.message).toBe('sleep was killed (SIGTERM)');
    expect(failure.signal).toBe('SIGTERM');
  });

  it('streams a large output intact while the consumer is slow (backpressure, nothing lost)', async () => {
    const bytes = 40 * 1024 * 1024;
    const running = runner.run({
      command: 'sh',
      args: ['-c', `head -c ${bytes} /dev/urandom > /tmp/big && cat /tmp/big`],
    });
    const hash = createHash('sha256');
    let seen = 0;
    const slow = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        seen += chunk.length;
        // A consumer slower than the engine for the first megabytes.
        if (seen < 4 * 1024 * 1024) setTimeout(done, 2);
        else done();
      },
    });
    await Promise.all([pipeline(running.stdout, slow), running.completion]);
    expect(seen).toBe(bytes);
    const expected = (
      await execIn(docker, name, ['sha256sum', '/tmp/big'])
    ).split(' ')[0];
    expect(hash.digest('hex')).toBe(expected);
    await execIn(docker, name, ['rm', '/tmp/big']);
  });

  it('puts secret files in /tmp with mode 0600 owned by the exec user, and removes them', async () => {
    const asPostgres = new DockerExecRunner(docker, userName);
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-exec-'));
    let seen = '';
    try {
      await withSecretFile(
        asPostgres,
        staging,
        'pgpass',
        's3cret-value',
        async file => {
          seen = file.path;
          expect(file.path).toMatch(/^\/tmp\/\.safekeep-[0-9a-f]{16}-pgpass$/);
          expect(
            await execIn(docker, userName, ['stat', '-c', '%a %U', file.path]),
          ).toBe('600 postgres\n');
          expect(
            await runToCompletion(asPostgres, {
              command: 'cat',
              args: [file.path],
            }),
          ).toBe('s3cret-value');
        },
      );
      expect(
        await execIn(docker, userName, [
          'sh',
          '-c',
          `ls ${seen} 2>/dev/null || echo gone`,
        ]),
      ).toBe('gone\n');
      // Nothing on the agent's side: the file only ever existed in the container.
      expect(fs.readdirSync(staging)).toEqual([]);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  });

  it('copies a tool output file out of the container and removes it there', async () => {
    const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-exec-'));
    try {
      const out = await runner.toolOutputFile(staging, 'dump.rdb');
      await runToCompletion(runner, {
        command: 'sh',
        args: ['-c', `printf 'rdb-bytes' > ${out.path}`],
      });
      const local = path.join(staging, 'copy.rdb');
      await out.moveTo(local);
      expect(fs.readFileSync(local, 'utf8')).toBe('rdb-bytes');
      expect(fs.statSync(local).mode & 0o777).toBe(0o600);
      expect(
        await execIn(docker, name, [
          'sh',
          '-c',
          `ls ${out.path} 2>/dev/null || echo gone`,
        ]),
      ).toBe('gone\n');
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  });
});
