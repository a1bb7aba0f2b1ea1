import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ConfigContext } from '../config/ConfigContext';
import type { DockerRuntime } from '../docker/DockerRuntime';

/** What a driver may use while it works. */
export interface EngineContext {
  /** The target's name in the agent config. */
  targetName: string;
  /** A folder for temporary files an engine cannot avoid (SQLite's backup copy). */
  stagingDir: string;
  /**
   * At backup, true when a consistency group's cut opens it (`pointInTime: 'backup'` engines):
   * backup() must return as soon as its point in time is fixed, and its artifacts may be read
   * only after other members streamed (MariaDB then drains its dumps into staging).
   */
  inCut?: boolean;
  log(message: string): void;
  /**
   * The Docker Engine (connected on first use): exec runners for targets whose tools run in a
   * container (setting `container`), helper and sibling containers. Throws a sentence saying
   * what to configure when Docker cannot be used.
   */
  docker(): DockerRuntime;
  /**
   * At backup, for engines that store only what changed: the newest complete snapshot of this
   * target in the primary tier whose own dependencies are all there; absent when none is.
   */
  previousSnapshot?: PreviousSnapshotAccess;
  /**
   * At restore: an artifact (raw name) of another snapshot of this target in the same tier, one
   * listed in this snapshot's dependencies; decrypted, decompressed and verified in flight.
   */
  openSnapshotArtifact?(snapshotId: string, name: string): Promise<Readable>;
}

/** An earlier snapshot an incremental engine compares with. */
export interface PreviousSnapshotAccess {
  id: string;
  /** One of its artifacts by raw name (decrypted, decompressed, checksum-verified in flight). */
  openArtifact(name: string): Promise<Readable>;
}

/** A container a target's tools depend on, and the state they need it in. */
export interface ContainerNeed {
  container: string;
  /** `running`: tools run in it with docker exec; `stopped`: a sibling uses its volumes. */
  state: 'running' | 'stopped';
}

/** What a preflight found. */
export interface Preflight {
  /** One sentence each, with the fix; empty when the backup can run. */
  problems: string[];
  /** Bytes the backup will stage on the agent's disk (an RDB, a SQLite copy), when known. */
  stagingBytes?: number;
  /** Bytes a consistency group's cut stages besides (a volume's raw copy, MariaDB's dumps). */
  stagedCopyBytes?: number;
}

/** One artifact of a backup, as raw bytes (before compression). */
export interface ProducedArtifact {
  /** File name inside the snapshot before the compression suffix: `app.db`, `files.tar`. */
  name: string;
  /** For people: "SQLite online backup of /srv/app.db". */
  description: string;
  stream: Readable;
  /**
   * Settles when the producer is really done. A dump tool's stdout can end cleanly while the
   * tool exits non-zero: this promise rejects then, and the run fails.
   */
  completion?: Promise<void>;
  /**
   * The tool always writes something (a dump's header): zero bytes mean its output was lost
   * on the way, and the run fails instead of storing an empty artifact as good.
   */
  neverEmpty?: boolean;
}

/** A backup in progress: artifacts are consumed in order, then details are read, then close. */
export interface EngineBackup {
  artifacts(): AsyncIterable<ProducedArtifact>;
  /** Facts recorded in the manifest (row counts, file counts) for the post-restore check. */
  details(): Promise<Record<string, unknown>>;
  /**
   * Optional, read after details(): ids of earlier snapshots whose artifacts this one
   * references (recorded as the manifest's depends_on). Each must be a complete snapshot of the
   * target in the primary tier, or the backup fails.
   */
  dependsOn?(): string[];
  /** Always called, also after a failure: remove temp files, restart what was stopped. */
  close(): Promise<void>;
}

/** An artifact handed to a restore: decrypted, decompressed, checksum-verified in flight. */
export interface RestoreArtifact {
  name: string;
  /** Its raw size as the manifest records it (known for stored snapshots). */
  rawBytes?: number;
  /**
   * The regular files the manifest's details count (directory, volume): an archive engine
   * stops a restore whose archive holds more (restoreBounds.tooManyFilesReason).
   */
  recordedFiles?: number;
  /** The stream errors at its end when the stored bytes do not match the manifest. */
  open(): Promise<Readable>;
}

export interface DestinationState {
  empty: boolean;
  /** For messages: "SQLite database /srv/app.db has 3 tables". */
  summary: string;
}

/** How an artifact can be turned back into raw bytes by hand, for the snapshot's README. */
export interface ManualArtifact {
  storedName: string;
  rawName: string;
  /** Shell command that writes the raw bytes to stdout, e.g. `zstd -dc app.db.zst`. */
  catCommand: string;
}

/**
 * What the rest of the agent may do with an engine's targets besides back up and restore them,
 * declared by its driver so that no list elsewhere names engines (label discovery reads these).
 * Dropping a scratch destination is the optional `dropDestination`.
 */
export interface EngineCapabilities {
  /**
   * A container labelled `safekeep.io/engine: <engine>` can become a target: the engine works on
   * a container (exec, sibling) or a volume, and its settings can come from labels.
   */
  labelDiscovery?: boolean;
  /** Its settings take `container`, where its tools run: discovery sets the labelled container. */
  containerExec?: boolean;
  /** It connects to a server from the agent too (`host`, `port`): discovery sets the container's address. */
  network?: boolean;
}

/**
 * One database or store kind. Drivers are stateless; per-target settings are validated by
 * `settingsSchema` (the target's fields besides engine, tiers and compression).
 */
export interface EngineDriver<Settings = unknown> {
  /** The engine's name in a target's config (`engine: postgres`): lower-case, see ENGINE_NAME_PATTERN. */
  readonly engine: string;
  /** None when absent: a target of the engine is configured in the agent's YAML only. */
  readonly capabilities?: EngineCapabilities;
  settingsSchema(
    context: ConfigContext,
  ): z.ZodType<Settings, z.ZodTypeDef, unknown>;
  /** For people: "SQLite database /srv/app.db". */
  describe(settings: Settings): string;
  /** Settings that point at another destination (`restore --to`), same engine and options. */
  withDestination(
    settings: Settings,
    destination: string,
    context: ConfigContext,
  ): Settings;
  /**
   * The file or folder holding the live data, for engines that keep it on this machine's disk
   * (directory, SQLite): a restore destination that is, lies in or holds it is refused.
   */
  livePath?(settings: Settings): string;
  /** The server (or library) version, e.g. "15.19"; null when the engine has none. */
  serverVersion(
    settings: Settings,
    context: EngineContext,
  ): Promise<string | null>;
  backup(settings: Settings, context: EngineContext): Promise<EngineBackup>;
  inspectDestination(
    settings: Settings,
    context: EngineContext,
  ): Promise<DestinationState>;
  /** Restores; must leave the destination as it was when an artifact stream fails. */
  restore(
    settings: Settings,
    artifacts: RestoreArtifact[],
    context: EngineContext,
  ): Promise<void>;
  /** Counts at the destination, shaped like the details recorded at backup time. */
  check(
    settings: Settings,
    context: EngineContext,
  ): Promise<Record<string, unknown>>;
  /**
   * Containers the target's tools depend on (optional; none by default). A consistency group
   * uses this to start a container it stopped while a member runs tools in it.
   */
  containerNeeds?(settings: Settings): ContainerNeed[];
  /**
   * `backup`: backup() itself fixes the data's point in time (an exported snapshot held open, a
   * BGSAVE fork, a backup copy, a dump taken while its own container was stopped) and the
   * artifacts stream that afterwards, so a consistency group starts its writers again as soon as
   * backup() returned. Absent: the data is consistent only while nothing writes, so the writers
   * stay stopped until every artifact is stored.
   */
  readonly pointInTime?: 'backup';
  /**
   * For engines without a point in time of their own (a volume, a folder): copies the raw data
   * into context.stagingDir as fast as it can, with no compression or checksum, and returns a
   * backup that reads that copy; close() deletes it. A consistency group in `cut` mode calls
   * this while the writers are stopped and stores the copy after they run again, so the
   * writers wait for a disk copy only. Optional: without it the group dumps the whole target
   * while the writers are stopped.
   */
  stage?(settings: Settings, context: EngineContext): Promise<EngineBackup>;
  /**
   * Checks without side effects that a backup can run now (login and permissions, tools present,
   * paths readable): one sentence per problem, each saying how to fix it. A consistency group
   * runs it for every member before it stops anything. Optional: none by default.
   */
  preflight?(settings: Settings, context: EngineContext): Promise<Preflight>;
  /**
   * Differences between recorded details and a check, one sentence each. Optional: the
   * default compares every number found at the same path in both.
   */
  compareDetails?(
    recorded: Record<string, unknown>,
    observed: Record<string, unknown>,
  ): string[];
  /**
   * Removes a restore destination (`settings` from withDestination: a scratch database, file or
   * folder). `own` are the target's configured settings: a destination that is, holds or lies in
   * the target's own data is refused with DropRefusedError. Returns what was done, for people.
   * Optional: without it the agent answers 501.
   */
  dropDestination?(
    settings: Settings,
    own: Settings,
    context: EngineContext,
  ): Promise<string>;
  /** Markdown steps to restore by hand with plain tools, for the snapshot's README. */
  manualRestoreSteps(settings: Settings, artifacts: ManualArtifact[]): string;
}
