import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DockerRuntime } from '../docker/DockerRuntime';
import { defaultDockerSettings } from '../docker/dockerSettings';
import type {
  EngineContext,
  EngineDriver,
  RestoreArtifact,
} from '../engines/EngineDriver';

export interface CapturedArtifact {
  name: string;
  description: string;
  data: Buffer;
}

export interface CapturedBackup {
  artifacts: CapturedArtifact[];
  details: Record<string, unknown>;
}

export type TestEngineContext = EngineContext & {
  logs: string[];
  cleanup(): void;
};

/** A staging folder of its own and a log that tests can read; Docker at its default endpoint. */
export function testEngineContext(
  targetName = 'test-target',
  helperImage?: string,
): TestEngineContext {
  const stagingDir = fs.mkdtempSync(path.join(os.tmpdir(), 'safekeep-engine-'));
  const logs: string[] = [];
  let docker: DockerRuntime | undefined;
  return {
    targetName,
    stagingDir,
    logs,
    log: message => logs.push(message),
    docker: () => {
      docker ??= new DockerRuntime(
        { ...defaultDockerSettings(), ...(helperImage ? { helperImage } : {}) },
        message => logs.push(message),
      );
      return docker;
    },
    cleanup: () => fs.rmSync(stagingDir, { recursive: true, force: true }),
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * Runs a driver's backup the way the pipeline does (artifacts in order, each stream read to
 * its end and its completion awaited, then details, then close) and keeps the bytes in memory.
 */
export async function backupToMemory<S>(
  driver: EngineDriver<S>,
  settings: S,
  context: EngineContext,
): Promise<CapturedBackup> {
  const backup = await driver.backup(settings, context);
  try {
    const artifacts: CapturedArtifact[] = [];
    for await (const artifact of backup.artifacts()) {
      const data = await readAll(artifact.stream);
      await artifact.completion;
      artifacts.push({
        name: artifact.name,
        description: artifact.description,
        data,
      });
    }
    return { artifacts, details: await backup.details() };
  } finally {
    await backup.close();
  }
}

/** Captured artifacts as a restore receives them. */
export function restoreArtifacts(
  captured: CapturedArtifact[],
): RestoreArtifact[] {
  return captured.map(artifact => ({
    name: artifact.name,
    rawBytes: artifact.data.length,
    open: async () => Readable.from([artifact.data]),
  }));
}

/** An artifact whose stream delivers the first half of `data`, then fails like a checksum mismatch. */
export function brokenArtifact(artifact: CapturedArtifact): RestoreArtifact {
  return {
    name: artifact.name,
    rawBytes: artifact.data.length,
    open: async () =>
      Readable.from(
        (async function* half() {
          yield artifact.data.subarray(0, Math.floor(artifact.data.length / 2));
          await new Promise(resolve => setTimeout(resolve, 50));
          throw new Error(
            `${artifact.name}: stored data does not match the manifest`,
          );
        })(),
      ),
  };
}
