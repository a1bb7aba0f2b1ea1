/**
 * Safekeep's host agent: engine drivers, streaming pipeline, filesystem and S3 storage,
 * snapshot service, job registry, HTTP API and CLI. See docs/agent.md.
 *
 * @packageDocumentation
 */
export { startAgentServer } from './http/startAgentServer';
export type {
  AgentServer,
  StartAgentServerOptions,
} from './http/startAgentServer';
export { createAgentApp } from './http/createAgentApp';
export { loadConfig, parseConfig } from './config/loadConfig';
export type {
  AgentConfig,
  AgentConfigInput,
  TargetConfig,
} from './config/loadConfig';
export { ConfigError } from './config/ConfigError';
export { SecretError } from './config/secretRef';
export type { SecretRef } from './config/secretRef';
export { SnapshotService } from './snapshots/SnapshotService';
export type { SnapshotServiceOptions } from './snapshots/SnapshotService';
export type { BackupResult } from './snapshots/backupTarget';
export type {
  RestoreOptions,
  RestoreResult,
} from './snapshots/restoreSnapshot';
export type { VerifyResult } from './snapshots/verifySnapshot';
export type { PruneOptions, PruneResult } from './snapshots/pruneSnapshots';
export type { Progress, ProgressListener } from './snapshots/SnapshotContext';
export { NotFoundError, RestoreRefusedError } from './snapshots/errors';
export { JobRegistry, JobConflictError } from './jobs/JobRegistry';
export type {
  EngineDriver,
  EngineCapabilities,
  EngineBackup,
  EngineContext,
  ProducedArtifact,
  RestoreArtifact,
} from './engines/EngineDriver';
export {
  enginesWith,
  registerEngineDriver,
  supportedEngines,
} from './engines/registry';
export type { SnapshotStorage, SnapshotRef } from './storage/SnapshotStorage';
export { runCli } from './cli/runCli';
export { AGENT_VERSION } from './version';
