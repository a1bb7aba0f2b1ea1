import { spawn } from 'node:child_process';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3rverClient } from './s3rverHarness';

export interface S3rverProcess {
  endpoint: string;
  bucket: string;
  /** Where the server stores objects and its open uploads (`<bucket>/._S3rver_uploads`). */
  directory: string;
  client: S3Client;
  close(): Promise<void>;
}

/**
 * An s3rver in a process of its own, so that SIGKILLing an agent (or the test's own process
 * group) does not take the S3 service with it: the agent meets a server that outlives it, as
 * a real bucket does.
 */
export async function startS3rverProcess(
  bucket = 'backups',
): Promise<S3rverProcess> {
  // A test-only module, run from the sources as the agent's bin is.
  // eslint-disable-next-line no-restricted-syntax
  const main = path.resolve(__dirname, 's3rverServerMain.ts');
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require(${JSON.stringify(
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
      )}); require(${JSON.stringify(main)});`,
    ],
    {
      env: { ...process.env, SAFEKEEP_S3RVER_BUCKET: bucket },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', chunk => {
    stderr += chunk;
  });
  const started = await new Promise<{ endpoint: string; directory: string }>(
    (resolve, reject) => {
      let out = '';
      child.stdout!.on('data', chunk => {
        out += chunk;
        const line = out.split('\n')[0];
        if (out.includes('\n')) resolve(JSON.parse(line));
      });
      child.once('exit', code =>
        reject(new Error(`s3rver exited ${code}: ${stderr}`)),
      );
    },
  );
  const client = s3rverClient(started.endpoint);
  return {
    ...started,
    bucket,
    client,
    async close() {
      client.destroy();
      if (child.exitCode !== null) return;
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.stdin!.end();
      await exited;
    },
  };
}
