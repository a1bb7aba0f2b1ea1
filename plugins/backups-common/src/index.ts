/**
 * Safekeep's contract: catalog annotations, snapshot manifest, REST and agent API types,
 * permissions. Runs in browsers and Node alike.
 *
 * @packageDocumentation
 */
export * from './annotations/keys';
export * from './annotations/engines';
export * from './annotations/duration';
export * from './annotations/schedule';
export * from './annotations/retention';
export * from './annotations/policy';
export * from './manifest/SnapshotManifest';
export * from './manifest/snapshotIdPattern';
export * from './api/agent';
export * from './api/runs';
export * from './permissions';
export * from './api/overview';
export * from './api/restores';
export * from './api/requestSigning';
