import type { AgentConfig, TargetConfig } from '../config/loadConfig';
import type { EngineContext, EngineDriver } from '../engines/EngineDriver';
import type { SnapshotStorage } from '../storage/SnapshotStorage';
import type { DockerRuntime } from '../docker/DockerRuntime';

/** What the snapshot operations share; built by SnapshotService. */
export interface SnapshotContext {
  config: AgentConfig;
  storageFor(tier: string): SnapshotStorage;
  driverFor(target: TargetConfig): EngineDriver<unknown>;
  engineContext(target: TargetConfig): EngineContext;
  /** The Docker Engine, connected on first use. */
  docker(): DockerRuntime;
  now(): Date;
  log(message: string): void;
}

export interface Progress {
  phase: string;
  /** Bytes handled so far in this phase (stored side for backups). */
  bytes: number;
}

export type ProgressListener = (progress: Progress) => void;
